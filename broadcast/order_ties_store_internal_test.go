package broadcast

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tieOnce is a channel that fails its first post transiently and counts
// the posts it made.
type tieOnce struct {
	mu    sync.Mutex
	calls int
	posts []string // the update IDs posted, in order
}

var errTieFlaky = errors.New("connection reset")

func (c *tieOnce) Name() string { return "one" }

func (c *tieOnce) Send(_ context.Context, m Message) (Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls++; c.calls == 1 {
		return Receipt{}, errTieFlaky
	}
	c.posts = append(c.posts, m.Update.ID)
	return Receipt{ID: m.Update.ID}, nil
}

func (c *tieOnce) posted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts...)
}

// sentUnreadable is a MemoryStore whose records of the time an update was
// first sent (see firstSent) cannot be read, for the updates in down, and
// whose receipts of every kind cannot be read while all is set.
type sentUnreadable struct {
	*MemoryStore
	down sync.Map // update ID → true
	all  atomic.Bool
}

var errUnreadable = errors.New("connection refused")

func (s *sentUnreadable) Receipt(ctx context.Context, updateID, channel string) (Receipt, bool, error) {
	if s.all.Load() {
		return Receipt{}, false, errUnreadable
	}
	if _, down := s.down.Load(strings.TrimPrefix(updateID, sentIncident)); down && channel == sentChannel {
		return Receipt{}, false, errUnreadable
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

func tieJob(t *testing.T, store Store, ch Channel, u Update) Job {
	t.Helper()
	jobs, err := tieBroadcaster(t, store, ch).Jobs(JobSend, u, "")
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	return jobs[0]
}

// A run of the Job of the older of two updates of equal Time that cannot
// read when that update was first sent does not take it for one first sent
// now, newer than the other, and post it after the other: the attempt
// fails transiently, as one that cannot read its mark does, and a later
// run, once the Store reads, finds it Superseded.
func TestUnreadPlaceIsNotTakenForNow(t *testing.T) {
	ctx := context.Background()
	u1, u2 := tieUpdates()
	ch := &tieOnce{}
	store := &sentUnreadable{MemoryStore: NewMemoryStore()}
	job1, job2 := tieJob(t, store, ch, u1), tieJob(t, store, ch, u2)

	r := tieBroadcaster(t, store, ch).RunJob(ctx, job1, 1)
	require.ErrorIs(t, r.Err, errTieFlaky)
	r = tieBroadcaster(t, store, ch).RunJob(ctx, job2, 1)
	require.NoError(t, r.Err)

	store.down.Store("u1", true)
	b := tieBroadcaster(t, store, ch)
	r = b.RunJob(ctx, job1, 2)
	assert.Error(t, r.Err, "u1's place is not known: not attempted blind")
	assert.False(t, IsPermanent(r.Err))
	assert.Equal(t, []string{"u2"}, ch.posted(), "u1, sent first, is not posted after u2")

	store.down.Delete("u1")
	r = b.RunJob(ctx, job1, 3)
	require.NoError(t, r.Err)
	assert.True(t, r.Superseded)
	assert.Equal(t, []string{"u2"}, ch.posted())
}

// An instance that once could not read when an update was first sent
// takes that update's place from the Store's record once it reads again,
// not from the one it gave it meanwhile: an update of equal Time first
// sent after it, but before that failed read, is the newer, and posted
// after it.
func TestPlaceOfLastIsReadAgain(t *testing.T) {
	ctx := context.Background()
	u1, u3 := tieUpdates()
	u3.ID = "u3"
	ch := &tieOnce{calls: 1} // u1 posts at once
	store := &sentUnreadable{MemoryStore: NewMemoryStore()}
	job1 := tieJob(t, store, ch, u1)
	r := tieBroadcaster(t, store, ch).RunJob(ctx, job1, 1)
	require.NoError(t, r.Err)

	job3 := tieJob(t, store, ch, u3)
	ch.mu.Lock()
	ch.calls = 0 // u3's first post fails
	ch.mu.Unlock()
	r = tieBroadcaster(t, store, ch).RunJob(ctx, job3, 1)
	require.ErrorIs(t, r.Err, errTieFlaky)

	b := tieBroadcaster(t, store, ch)
	store.all.Store(true)
	r = b.RunJob(ctx, job1, 2) // reads nothing of u1's: done already
	store.all.Store(false)
	assert.True(t, r.Skipped, "%+v", r)

	r = b.RunJob(ctx, job3, 2)
	require.NoError(t, r.Err)
	assert.False(t, r.Superseded, "u3, first sent after u1, is the newer")
	assert.Equal(t, []string{"u1", "u3"}, ch.posted())
}
