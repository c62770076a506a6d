package matrix

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A retraction whose redaction of an edit fails for now, retried, redacts
// that edit, though the homeserver does not list it in /relations (yet):
// the channel remembers the edits it made until they are redacted, not
// merely until a retraction tried them.
func TestRetractRetriedRedactsEditNotListed(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.relLag = 1
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")
	edits := func() []*fakeEvent {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []*fakeEvent
		for _, e := range f.events {
			if e.kind == "edit" {
				out = append(out, e)
			}
		}
		return out
	}
	require.Len(t, edits(), 2, "one edit in each room")
	fail := map[string]channeltest.Failure{}
	for _, e := range edits() {
		fail[e.id] = channeltest.FailTransient
	}
	f.mu.Lock()
	f.failRedactOf = fail
	f.mu.Unlock()

	err := ch.Retract(ctx, r)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "redact the edit")

	f.mu.Lock()
	f.failRedactOf = nil
	f.mu.Unlock()
	require.NoError(t, ch.Retract(ctx, r))
	for _, e := range edits() {
		f.mu.Lock()
		assert.True(t, e.redacted, "the edit %s in %s", e.id, e.room)
		f.mu.Unlock()
	}
	for _, target := range confTargets {
		assert.Empty(t, f.timeline()[target])
	}
}

// hookTransport runs before, once, ahead of the first request match
// reports true for.
type hookTransport struct {
	next   http.RoundTripper
	match  func(*http.Request) bool
	before func()
	once   sync.Once
}

func (h *hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.match(req) {
		h.once.Do(h.before)
	}
	return h.next.RoundTrip(req)
}

// editedBeforeRedaction returns a Channel on f and a post it made and
// edited once ("fix 1"). Right before the Channel first redacts the post
// in the first room, it edits the post again ("fix 2") and calls then
// with that Edit's error.
func editedBeforeRedaction(t *testing.T, f *fakeServer, then func(editErr error)) (*Channel, broadcast.Receipt) {
	t.Helper()
	cfg := confConfig(f.srv.URL)
	var ch *Channel
	var r broadcast.Receipt
	cfg.HTTPClient = &http.Client{Transport: &hookTransport{
		next: f.srv.Client().Transport,
		match: func(req *http.Request) bool {
			return req.Method == http.MethodPut && strings.Contains(req.URL.EscapedPath(),
				"/redact/"+url.PathEscape(r.Meta[confTargets[0]])+"/")
		},
		before: func() {
			_, err := ch.Edit(context.Background(), broadcast.NewMessage(incident(3, broadcast.StatusMonitoring, "fix 2")), r)
			then(err)
		},
	}}
	ch = newTestChannel(t, cfg)
	r = postedAndEdited(t, ch, "fix 1")
	return ch, r
}

// A correction made while a retraction of its post runs (the Channel is
// safe for concurrent use) adds an edit after the retraction listed the
// post's edits: the retraction does not redact it, and must not forget
// it either, so that its retry (another room failed) redacts it, though
// the homeserver does not list it in /relations yet.
func TestRetractKeepsEditMadeWhileItRan(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	f.relLag = 1
	room1 := confRooms[confTargets[0]]
	ch, r := editedBeforeRedaction(t, f, func(err error) {
		assert.NoError(t, err)
		f.FailTarget(confTargets[1], channeltest.FailTransient)
	})
	ctx := context.Background()

	err := ch.Retract(ctx, r)
	require.Error(t, err, "the second room failed")
	require.False(t, broadcast.IsPermanent(err), "%v", err)
	f.FailTarget(confTargets[1], channeltest.FailNone)
	require.NoError(t, ch.Retract(ctx, r))

	f.mu.Lock()
	defer f.mu.Unlock()
	edits := 0
	for _, e := range f.events {
		if e.kind == "edit" || e.kind == "post" {
			assert.True(t, e.redacted, "the %s %s in %s", e.kind, e.id, e.room)
			if e.kind == "edit" && e.room == room1 {
				edits++
			}
		}
	}
	assert.Equal(t, 2, edits, "two edits in the first room")
}
