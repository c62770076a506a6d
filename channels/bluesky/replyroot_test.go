package bluesky

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// validReply applies the rule by which Bluesky's AppView accepts a reply
// into its thread (packages/bsky, invalidReplyRoot): a reply to the root
// needs a root that replies to nothing; a reply to a reply needs the
// parent's own root. A reply that breaks it is marked invalid and left out
// of the thread.
func validReply(t *testing.T, f *fakePDS, p post) bool {
	t.Helper()
	if p.Reply == nil {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var parent *fakeRecord
	for _, r := range f.records {
		if r.uri == p.Reply.Parent.URI && !r.deleted {
			parent = r
		}
	}
	require.NotNil(t, parent, "the parent exists")
	if p.Reply.Parent.URI == p.Reply.Root.URI {
		return parent.post.Reply == nil
	}
	return parent.post.Reply != nil && parent.post.Reply.Root.URI == p.Reply.Root.URI
}

// A thread whose latest post is not in the thread of its first (two
// top-level posts of one incident, as when a Send ran while a Retract of
// the first post that later failed was under way, or two instances
// without a shared Lock posted an incident's first updates at once) gets
// a reply that names the parent's own root: a reply naming the incident's
// first post as root under a parent of another thread is one Bluesky's
// AppView marks invalid and leaves out of the thread. A receipt read back
// after a lost answer names its post's root too.
func TestReplyRootIsTheParentsRoot(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	send := func(i int, th broadcast.Thread) broadcast.Receipt { return sendNumbered(t, ch, i, th) }
	first := send(0, broadcast.Thread{})
	other := send(1, broadcast.Thread{}) // a second top-level post of the incident
	reply := send(2, broadcast.Thread{Root: first, Last: other})
	// The next one, after a lost answer, is read back.
	f.set(func(f *fakePDS) { f.loseNext = true })
	u := testUpdate()
	u.ID, u.Time = "", fixedNow.Add(3*time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: reply}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	m.Attempt = 2
	readBack, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	last := send(4, broadcast.Thread{Root: first, Last: readBack})

	creates := f.received("com.atproto.repo.createRecord")
	for i, c := range creates {
		assert.True(t, validReply(t, f, createInput(t, c).Record), "post %d is a valid reply", i)
	}
	in := createInput(t, creates[len(creates)-1])
	require.NotNil(t, in.Record.Reply)
	assert.Equal(t, other.Meta["uri"], in.Record.Reply.Root.URI, "the thread the parents are in")
	assert.Equal(t, readBack.Meta["uri"], in.Record.Reply.Parent.URI)
	assert.NotEmpty(t, last.ID)
}
