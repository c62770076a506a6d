package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// postFlaky fails reads of the Ledger's post receipts while failPosts is set.
type postFlaky struct {
	*broadcast.MemoryStore
	failPosts atomic.Bool
}

func (s *postFlaky) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if s.failPosts.Load() && strings.HasPrefix(updateID, "\x00post") {
		return broadcast.Receipt{}, false, errors.New("injected: read timeout")
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

// chatRec records what a chat channel posted and deleted.
type chatRec struct {
	mu      sync.Mutex
	failB   bool
	posted  map[string]int // by update and target
	deleted []string
}

func (c *chatRec) Retract(_ context.Context, prev broadcast.Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range prev.Meta {
		c.deleted = append(c.deleted, k)
	}
	return nil
}

// chatCh is a channel posting to two rooms through Fanout.Posted; it
// fails !b while failB is set.
type chatCh struct {
	broadcast.Channel
	*chatRec
}

func newChat() chatCh {
	rec := &chatRec{posted: map[string]int{}}
	targets := []string{"!a", "!b"}
	return chatCh{Channel: broadcast.ChannelFunc("chat", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, targets)
		for _, i := range f.Todo() {
			rec.mu.Lock()
			fail := rec.failB && targets[i] == "!b"
			if !fail {
				rec.posted[m.Update.ID+" "+targets[i]]++
			}
			rec.mu.Unlock()
			if fail {
				f.Report(i, errors.New("try later"))
				continue
			}
			f.Posted(i, broadcast.Receipt{ID: "ev-" + targets[i], Meta: map[string]string{targets[i]: "ev-" + m.Update.ID + targets[i]}})
		}
		if err := f.Err(); err != nil {
			return broadcast.Receipt{}, err
		}
		return f.Receipt(), nil
	}), chatRec: rec}
}

// upd returns update n of one incident; later updates are newer.
func upd(n int) broadcast.Update {
	return broadcast.Update{ID: fmt.Sprintf("u%d", n), IncidentID: "inc", Title: "CDN", Status: broadcast.StatusInvestigating,
		Body: "b", Time: time.Date(2025, 3, 14, 15, n, 0, 0, time.UTC)}
}

// A delivery that reached every target, but could not read an earlier
// attempt's post, completes with ErrNotRecorded and saves the receipt it
// has: it is not retried, and so not dropped as superseded by a newer
// update (which would save no receipt at all), and Retract reaches the
// posts it names, and the one it lacks (see keepPartial).
func TestUnreadablePostCompletesTheDelivery(t *testing.T) {
	ctx := context.Background()
	s := &postFlaky{MemoryStore: broadcast.NewMemoryStore()}
	ch := newChat()
	b := newBroadcaster(t, broadcast.Options{Store: s, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)

	ch.failB = true
	_, err := b.Send(ctx, upd(1))
	require.Error(t, err)
	ch.failB = false
	s.failPosts.Store(true)
	_, err = b.Send(ctx, upd(1)) // !b posted; reading !a's post fails
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	s.failPosts.Store(false)
	assert.Equal(t, 1, ch.posted["u1 !a"])
	assert.Equal(t, 1, ch.posted["u1 !b"], "u1 is in both rooms")

	_, err = b.Send(ctx, upd(2))
	require.NoError(t, err)
	rep, err := b.Send(ctx, upd(1))
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "u1 was delivered")
	r, ok, err := s.Receipt(ctx, "u1", "chat")
	require.NoError(t, err)
	require.True(t, ok, "u1's receipt is saved")
	assert.Equal(t, map[string]string{"!b": "ev-u1!b"}, r.Meta, "with the post it could read")
	rep, err = b.Retract(ctx, "u1")
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	assert.ElementsMatch(t, []string{"!a", "!b"}, ch.deleted,
		"Retract(u1) deletes the post its receipt names, and the one the record of the targets reached names")
}
