package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// com.atproto.repo.getRecord's output requires the record's uri and value,
// not its cid (lexicons/com/atproto/repo/getRecord.json in
// bluesky-social/atproto). A retry that finds its record key taken and
// reads back a record without cid has found the post of the earlier
// attempt: it is delivered, not an error (a 400 or 409 would have failed
// the update for good, a 500 retried into the same answer for ever).
// Before, such an answer was read as "no record".
func TestReadBackWithoutCIDFindsThePost(t *testing.T) {
	for name, taken := range takenAnswers {
		t.Run(name, func(t *testing.T) {
			f := newFakePDS(t)
			ch := newTestChannel(t, f)
			m := broadcast.NewMessage(testUpdate())
			lostPost(t, f, ch, m)
			f.set(func(f *fakePDS) { f.taken, f.noCID = &taken, true })

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			got := f.Received()
			require.Len(t, got, 1, "one post")
			assert.Equal(t, got[0].ID, r.ID)
			assert.Equal(t, got[0].ID, r.Meta[metaURI])
			assert.Empty(t, r.Meta[metaCID], "no cid is made up")
			assert.Contains(t, r.Meta[metaCIDMissing], "cid")
		})
	}
}

// A reply to a post whose receipt has no cid (its read back named none)
// needs the post's strong reference: the channel reads the post for it.
// When the server gives it then, the update replies in the thread; when
// it never does, the update starts a new thread, and its Receipt names the
// post it did not reply to and why.
func TestReplyToPostWithoutCID(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first := sendNumbered(t, ch, 0, broadcast.Thread{})
	noCID := first
	noCID.Meta = map[string]string{metaURI: first.Meta[metaURI], metaRootURI: first.Meta[metaURI],
		metaCIDMissing: "read back without cid"}

	second := sendNumbered(t, ch, 1, broadcast.Thread{Root: noCID, Last: noCID})
	creates := f.received("com.atproto.repo.createRecord")
	reply := createInput(t, creates[len(creates)-1]).Record.Reply
	require.NotNil(t, reply, "in the incident's thread")
	assert.Equal(t, first.Meta[metaURI], reply.Parent.URI)
	assert.Equal(t, first.Meta[metaCID], reply.Parent.CID)
	assert.Equal(t, first.Meta[metaCID], reply.Root.CID)
	assert.Empty(t, second.Meta[metaReplyDropped])

	f.set(func(f *fakePDS) { f.noCID = true })
	third := sendNumbered(t, ch, 2, broadcast.Thread{Root: noCID, Last: noCID})
	creates = f.received("com.atproto.repo.createRecord")
	assert.Nil(t, createInput(t, creates[len(creates)-1]).Record.Reply, "no strong reference: a new thread")
	assert.Equal(t, first.Meta[metaURI], third.Meta[metaReplyDropped])
	assert.Contains(t, third.Meta[metaReplyDroppedWhy], "cid")
}
