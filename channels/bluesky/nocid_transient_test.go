package bluesky

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A reply to a post whose receipt has no cid reads the post for it; when
// that read fails for a reason that may pass (a 5xx), the update is not
// posted (nothing is: a retry makes no duplicate) and the Send fails
// transient, so that the retry, the server answering again, replies in
// the incident's thread. Before, it started a new thread at once, for
// good, as if the server never gave the cid.
func TestReplyToPostWithoutCIDReadFailingForAWhile(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first := sendNumbered(t, ch, 0, broadcast.Thread{})
	noCID := first
	noCID.Meta = map[string]string{metaURI: first.Meta[metaURI], metaRootURI: first.Meta[metaURI],
		metaCIDMissing: "read back without cid"}
	posts := len(f.received("com.atproto.repo.createRecord"))

	f.set(func(f *fakePDS) {
		f.readFailure = &xrpcAnswer{status: http.StatusBadGateway, name: "UpstreamFailure", message: "Upstream Failure"}
	})
	m := numbered(1, broadcast.Thread{Root: noCID, Last: noCID})
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err)
	assert.Len(t, f.received("com.atproto.repo.createRecord"), posts, "nothing posted")

	f.set(func(f *fakePDS) { f.readFailure = nil })
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	creates := f.received("com.atproto.repo.createRecord")
	reply := createInput(t, creates[len(creates)-1]).Record.Reply
	require.NotNil(t, reply, "in the incident's thread")
	assert.Equal(t, first.Meta[metaURI], reply.Parent.URI)
	assert.Empty(t, r.Meta[metaReplyDropped])
}
