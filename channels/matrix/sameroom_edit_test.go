package matrix

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// endAfterFirstEdit passes requests on to the server and, once the answer
// to the first edit has been read, ends the attempt's context, as an
// AttemptTimeout that runs out just then does.
type endAfterFirstEdit struct {
	cancel atomic.Pointer[context.CancelFunc]
	next   http.RoundTripper
}

func (e *endAfterFirstEdit) RoundTrip(req *http.Request) (*http.Response, error) {
	var sent []byte
	if req.Body != nil {
		sent, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(sent))
	}
	resp, err := e.next.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/send/") || !bytes.Contains(sent, []byte(relReplace)) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if cancel := e.cancel.Swap(nil); cancel != nil {
		(*cancel)()
	}
	return resp, nil
}

// A post two targets share (an upgraded room and the alias of its
// replacement) is edited once, also when the attempt ended after the first
// target's edit, before the second target's outcome was recorded: the next
// attempt does not edit it again under the second target's transaction
// ID, which would make a second edit event (shown twice, as "* …", by
// clients without edits).
func TestTwoTargetsInOneRoomEditedOnceAcrossAttempts(t *testing.T) {
	const old, alias = "!ops7Kq:example.org", "#status:example.org"
	now := confRooms[alias]
	f := newFakeServer(t, confToken, confRooms)
	f.mu.Lock()
	f.replaced[old] = now
	f.mu.Unlock()
	ends := &endAfterFirstEdit{next: http.DefaultTransport}
	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: ends}
	ch := newTestChannel(t, cfg)

	r, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	require.Equal(t, r.Meta[old], r.Meta[alias], "one post for both targets")
	require.Equal(t, 1, sendsTo(f, now))

	m := broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "a, corrected"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ends.cancel.Store(&cancel)
	_, err = ch.Edit(ctx, m, r)
	require.Error(t, err, "the attempt ended before the second target")
	assert.False(t, broadcast.IsPermanent(err))
	require.Equal(t, 2, sendsTo(f, now), "the first target's edit was made")

	m.Attempt = 2
	_, err = ch.Edit(context.Background(), m, r)
	require.NoError(t, err)
	assert.Equal(t, 2, sendsTo(f, now), "one edit in the room")
}
