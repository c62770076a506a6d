package matrix

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gapPage answers the room's /messages page from the token at with an
// empty chunk and an end of its own, as a homeserver does whose
// visibility checks left none of a page's events, and passes on a page
// from that end as one from at.
type gapPage struct {
	at   string
	gaps atomic.Int32
	next http.RoundTripper
}

func (g *gapPage) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/messages") {
		return g.next.RoundTrip(req)
	}
	q := req.URL.Query()
	switch q.Get("from") {
	case g.at:
		g.gaps.Add(1)
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(`{"chunk":[],"start":"` + g.at + `","end":"gap_` + g.at + `"}`)),
			Request: req}, nil
	case "gap_" + g.at:
		req = req.Clone(req.Context())
		q.Set("from", g.at)
		req.URL.RawQuery = q.Encode()
	}
	return g.next.RoundTrip(req)
}

// An empty page of /messages that names an end does not end the look-up:
// the specification says more events may follow, and the post is found
// on the page after it rather than posted again.
func TestSentPagesPastAnEmptyChunk(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	room := confRooms[confTargets[0]]
	event, err := ch.send(ctx, room, "txn-sought", encode(message(msgText, "sought", "", nil)))
	require.NoError(t, err)
	for i := range lookbackPage {
		_, err := ch.send(ctx, room, "txn-later-"+string(rune('a'+i)), encode(message(msgText, "later", "", nil)))
		require.NoError(t, err)
	}
	gap := &gapPage{at: "t_10", next: http.DefaultTransport}
	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: gap}
	got, ok, err := newTestChannel(t, cfg).sent(ctx, room, "txn-sought")
	require.NoError(t, err)
	assert.Equal(t, int32(1), gap.gaps.Load(), "the empty page was read")
	assert.True(t, ok, "found past the empty page")
	assert.Equal(t, event, got)
	assert.Zero(t, requestsTo(f, "/sync"))
}

// emptyPages answers every /messages page with an empty chunk and an end
// never named before, counting them.
type emptyPages struct {
	pages atomic.Int32
	next  http.RoundTripper
}

func (e *emptyPages) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/messages") {
		return e.next.RoundTrip(req)
	}
	n := e.pages.Add(1)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"chunk":[],"end":"e` + strconv.Itoa(int(n)) + `"}`)), Request: req}, nil
}

// A server that answers every page empty, each with a new end, holds the
// look-up for lookbackPages pages only.
func TestSentEmptyPagesAreBounded(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	empty := &emptyPages{next: http.DefaultTransport}
	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: empty}
	_, ok, err := newTestChannel(t, cfg).sent(context.Background(), confRooms[confTargets[0]], "txn")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, int32(lookbackPages), empty.pages.Load())
}
