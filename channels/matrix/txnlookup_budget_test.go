package matrix

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// hangingSync holds each GET /sync until its request is given up, as an
// initial /sync of an account in many rooms can on Dendrite.
type hangingSync struct{ next http.RoundTripper }

func (h hangingSync) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/sync") {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return h.next.RoundTrip(req)
}

// A look-up that cannot finish (its /sync does not answer) leaves the
// post's own request time within the attempt: the retry posts, under the
// same transaction ID, rather than spend the attempt reading, as every
// later retry would too.
func TestLookupLeavesTimeForThePost(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	f.mu.Lock()
	f.noTxnOnMessages = true // as Dendrite: the look-up goes on to /sync
	f.mu.Unlock()
	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &loseFirstPost{next: http.DefaultTransport}}
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := newTestChannel(t, cfg).Send(context.Background(), m)
	require.Error(t, err, "the first room's answer was lost")
	room := confRooms[confTargets[0]]
	require.Len(t, postsIn(f, room), 1)

	cfg = confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: hangingSync{next: http.DefaultTransport}, Timeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // the attempt's
	defer cancel()
	m.Attempt = 2
	r, err := newTestChannel(t, cfg).Send(ctx, m)
	require.NoError(t, err)
	assert.Positive(t, requestsTo(f, "/messages"), "the look-up was tried")
	require.Len(t, postsIn(f, room), 1, "the homeserver answered with the event it made")
	assert.Equal(t, postsIn(f, room)[0], r.Meta[confTargets[0]])
}
