package bluesky

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// Across a restart (a new Channel, Store and Broadcaster on the same file),
// each reply names the incident's first post as root and its latest as
// parent, each by the URI and CID the server returned when it made them.
func TestThreadAcrossRestart(t *testing.T) {
	f := newFakePDS(t)
	path := filepath.Join(t.TempDir(), "outagecast.db")
	start := func() (*broadcast.Broadcaster, func()) {
		st, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		b, err := broadcast.New([]broadcast.Channel{newTestChannel(t, f)},
			broadcast.Options{Store: st, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(t, err)
		return b, func() {
			assert.NoError(t, b.Close())
			assert.NoError(t, st.Close())
		}
	}
	ctx := context.Background()
	u := func(n int) broadcast.Update {
		u := testUpdate()
		u.ID, u.Time = "u"+string(rune('0'+n)), fixedNow.Add(time.Duration(n)*time.Minute)
		return u
	}
	b, stop := start()
	_, err := b.Send(ctx, u(1))
	require.NoError(t, err)
	stop()

	b, stop = start()
	defer stop()
	_, err = b.Send(ctx, u(2))
	require.NoError(t, err)
	_, err = b.Send(ctx, u(3))
	require.NoError(t, err)
	fix := u(1)
	fix.ID, fix.Body = "", "We are investigating elevated error rates in the US region."
	_, err = b.Correct(ctx, "u1", fix)
	require.NoError(t, err)

	f.mu.Lock()
	var made []strongRef
	for _, r := range f.records {
		made = append(made, strongRef{URI: r.uri, CID: r.cid})
	}
	f.mu.Unlock()
	creates := f.received("com.atproto.repo.createRecord")
	require.Len(t, creates, 4, "update 1, 2, 3 and the correction")
	require.Len(t, made, 4)
	assert.Nil(t, createInput(t, creates[0]).Record.Reply, "update 1 starts the thread")
	for i, parent := range []int{0, 1, 2} {
		in := createInput(t, creates[i+1])
		require.NotNilf(t, in.Record.Reply, "post %d replies", i+2)
		assert.Equalf(t, made[0], in.Record.Reply.Root, "post %d: root, the first post", i+2)
		assert.Equalf(t, made[parent], in.Record.Reply.Parent, "post %d: parent, the latest post", i+2)
	}
}
