package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// chunked is a channel that posts its update to each target in two parts,
// recording in the Ledger each part done (Fanout.MarkProgress), so that a
// retry posts only the parts not done yet. The first cut Sends post part
// one to the first target and then fail transiently.
type chunked struct {
	targets []string

	mu    sync.Mutex
	cut   int
	sends int
	posts []string            // target/part, in the order posted
	seen  map[string][]string // target: its parts Progressed reported done, on the last Send
}

func (c *chunked) Name() string { return "chunked" }

func (c *chunked) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends++
	c.seen = map[string][]string{}
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		for _, part := range []string{"part 1", "part 2"} {
			if f.Progressed(i, part) {
				c.seen[c.targets[i]] = append(c.seen[c.targets[i]], part)
				continue
			}
			if c.sends <= c.cut && (i > 0 || part == "part 2") {
				f.Report(i, errors.New("connection reset"))
				break
			}
			c.posts = append(c.posts, c.targets[i]+"/"+part)
			_ = f.MarkProgress(i, part) // the Broadcaster reports a failed mark
			if part == "part 2" {
				f.Report(i, nil)
			}
		}
	}
	return broadcast.Receipt{}, f.Err()
}

// savesCounted is a Store that counts the receipts of chunked it saves
// (not the Broadcaster's own records, nor its record of the updates of an
// incident that fanned out, written before any target is reached), and
// fails the reads of the marks of the targets not in readable (the
// channel's own mark, target "", always reads).
type savesCounted struct {
	*broadcast.MemoryStore
	mu       sync.Mutex
	saves    int
	readable map[string]bool // nil: every mark reads
}

func (s *savesCounted) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	s.mu.Lock()
	if r.Channel == "chunked" && !strings.HasPrefix(updateID, "\x00fanned out\x00") {
		s.saves++
	}
	s.mu.Unlock()
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

func (s *savesCounted) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	if s.readable != nil && target != "" && !s.readable[target] {
		return false, "", errors.New("store unreachable")
	}
	return s.MemoryStore.Done(ctx, updateID, channel, target)
}

func (s *savesCounted) saved() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

// Progress within one target (a part of a chunked post, a line of a long
// IRC message) is kept through the Store, so that a retry, after a restart
// or on another instance, does not post the part again; it is no target:
// it never shows in a Result (Delivered, Pending, Failures), and an
// attempt that made progress on no target but delivered to none does not
// make the record of a delivery that reached some targets.
func TestProgressIsKeptButIsNoTarget(t *testing.T) {
	store := &savesCounted{MemoryStore: broadcast.NewMemoryStore()}
	u := validUpdate()
	u.ID = "u-progress"
	ch := &chunked{targets: []string{"#ops", "#status"}, cut: 1}
	once := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	b, err := broadcast.New([]broadcast.Channel{ch}, once)
	require.NoError(t, err)
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	require.NoError(t, b.Close())
	res := rep.Results[0]
	assert.Empty(t, res.Delivered, "progress is not a delivery")
	assert.Empty(t, res.Failures)
	var pending []string
	for _, p := range res.Pending {
		pending = append(pending, p.Target)
	}
	assert.Equal(t, []string{"#ops", "#status"}, pending, "the targets only")
	assert.Zero(t, store.saved(), "no target reached: no record of a partial delivery")

	// Another Broadcaster on the same Store (a restart, another instance)
	// posts only what is left.
	b2, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b2.Close() })
	rep, err = b2.Send(context.Background(), u)
	require.NoError(t, err)
	res = rep.Results[0]
	assert.Equal(t, []string{"#ops/part 1", "#ops/part 2", "#status/part 1", "#status/part 2"}, ch.posts, "each part once")
	assert.Equal(t, map[string][]string{"#ops": {"part 1"}}, ch.seen, "one target's progress is not another's")
	assert.Equal(t, []string{"#ops", "#status"}, res.Delivered)
	assert.Empty(t, res.Pending)
	assert.Empty(t, res.Failures)
}

// A progress mark the Store cannot read counts as no progress: the part
// is posted again rather than lost, and the attempt, which delivered to
// every target, does not fail for it, nor is the mark listed as pending.
func TestProgressUnreadIsNoProgress(t *testing.T) {
	store := &savesCounted{MemoryStore: broadcast.NewMemoryStore(), readable: map[string]bool{"#ops": true}}
	u := validUpdate()
	u.ID = "u-progress-unread"
	ch := &chunked{targets: []string{"#ops"}}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, []string{"#ops"}, res.Delivered)
	assert.Empty(t, res.Pending)
	assert.Equal(t, []string{"#ops/part 1", "#ops/part 2"}, ch.posts)
}

// marksRefused is a Store that fails to write the marks of progress
// (every mark but the targets' own).
type marksRefused struct {
	*broadcast.MemoryStore
	targets map[string]bool
}

func (s *marksRefused) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if channel == "chunked" && target != "" && !s.targets[target] {
		return errors.New("store unreachable")
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A progress mark the Store fails to write is reported as not recorded
// (ErrNotRecorded) by the target and the part, in words: the key the
// Store keeps it under, with its control characters, shows in no error
// (a NUL byte cuts a log line short in many a log pipeline).
func TestProgressNotRecordedNamesTheTargetAndPart(t *testing.T) {
	store := &marksRefused{MemoryStore: broadcast.NewMemoryStore(), targets: map[string]bool{"#ops": true}}
	u := validUpdate()
	u.ID = "u-progress-unrecorded"
	ch := &chunked{targets: []string{"#ops"}}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.Equal(t, []string{"#ops"}, rep.Results[0].Delivered)
	assert.NotContains(t, err.Error(), "\x00")
	assert.Contains(t, err.Error(), `store: mark progress "part 1" of #ops: store unreachable`)
}
