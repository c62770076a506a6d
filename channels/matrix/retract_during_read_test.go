package matrix

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A retraction that redacts the post while a correction reads it (after
// the correction found the post not retracted, before its read of the
// post was answered) makes the correction fail with ErrRetracted, as one
// that starts after the retraction does, not with ErrPostGone, which has
// the Broadcaster post the correction anew in the room the retraction
// just cleared.
func TestEditReadingWhileRetractRanIsRefused(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	cfg := confConfig(f.srv.URL)
	var ch *Channel
	var r broadcast.Receipt
	var retractErr error
	cfg.HTTPClient = &http.Client{Transport: &hookTransport{
		next: f.srv.Client().Transport,
		match: func(req *http.Request) bool {
			return req.Method == http.MethodGet && strings.HasSuffix(req.URL.EscapedPath(),
				"/event/"+url.PathEscape(r.Meta[confTargets[0]]))
		},
		before: func() { retractErr = ch.Retract(context.Background(), r) },
	}}
	ch = newTestChannel(t, cfg)
	var err error
	r, err = ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)

	_, err = ch.Edit(context.Background(), broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "fix")), r)
	require.NoError(t, retractErr)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrRetracted), "%v", err)
	assert.False(t, errors.Is(err, broadcast.ErrPostGone), "%v", err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Empty(t, visibleEdits(f))
}
