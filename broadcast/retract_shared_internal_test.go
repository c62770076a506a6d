package broadcast

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// platform is the posts of one channel that two instances' channels
// (view) post to and delete from.
type platform struct {
	mu       sync.Mutex
	live     []string // update IDs of the posts up, in the order posted
	retracts int
	// deleting is called with the number of each deletion, before it
	// deletes; its error fails the deletion.
	deleting func(n int) error
}

// view is one instance's channel of a platform.
type view struct{ p *platform }

func (v view) Name() string { return "x" }

func (v view) Send(_ context.Context, m Message) (Receipt, error) {
	v.p.mu.Lock()
	defer v.p.mu.Unlock()
	v.p.live = append(v.p.live, m.Update.ID)
	return Receipt{ID: "post-" + m.Update.ID}, nil
}

func (v view) Retract(_ context.Context, prev Receipt) error {
	v.p.mu.Lock()
	v.p.retracts++
	n := v.p.retracts
	v.p.mu.Unlock()
	if err := v.p.deleting(n); err != nil {
		return err
	}
	v.p.mu.Lock()
	defer v.p.mu.Unlock()
	for i, id := range v.p.live {
		if "post-"+id == prev.ID {
			v.p.live = append(v.p.live[:i], v.p.live[i+1:]...)
			break
		}
	}
	return nil
}

func (p *platform) posts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.live...)
}

// underWaySeen is a Store that closes seen once a read says a retraction
// is under way (see retractingTarget).
type underWaySeen struct {
	*MemoryStore
	once sync.Once
	seen chan struct{}
}

func (s *underWaySeen) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	done, failure, err := s.MemoryStore.Done(ctx, updateID, channel, target)
	if _, under := underWayUntil(failure); target == retractingTarget && done && under {
		s.once.Do(func() { close(s.seen) })
	}
	return done, failure, err
}

// An older update sent by one instance while another instance's Retract
// of a newer post of the incident waits to retry its deletion waits for
// that Retract, as the Store records it: before, nothing of it was in
// flight on the sending instance, which found the newer post still up and
// Superseded the older update; the retry then deleted the newer post, and
// neither update stayed out there.
func TestOlderUpdateWaitsForAnotherInstancesRetraction(t *testing.T) {
	entered, proceed := make(chan struct{}), make(chan struct{})
	var release sync.Once
	free := func() { release.Do(func() { close(proceed) }) }
	t.Cleanup(free)
	p := &platform{deleting: func(n int) error {
		if n == 1 {
			return errors.New("503 service unavailable")
		}
		close(entered)
		<-proceed
		return nil
	}}
	shared := NewMemoryStore()
	fast := RetryPolicy{MaxAttempts: 3, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}
	b1, err := New([]Channel{view{p}}, Options{Store: shared, Lock: shared.Lock, Retry: fast})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b1.Close() })
	spy := &underWaySeen{MemoryStore: shared, seen: make(chan struct{})}
	b2, err := New([]Channel{view{p}}, Options{Store: spy, Lock: shared.Lock, Retry: fast})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b2.Close() })

	older, retracted := retractNewer(t, b1, entered)
	var rep *Report
	olderDone := make(chan struct{})
	go func() {
		defer close(olderDone)
		rep, err = b2.Send(context.Background(), older)
	}()
	select {
	case <-spy.seen: // the older update waits for the retraction
	case <-olderDone:
		free()
		<-retracted
		t.Fatalf("the older update did not wait for the retraction: superseded %v, posts %v",
			rep.Results[0].Superseded, p.posts())
	}
	free()
	require.NoError(t, <-retracted)
	<-olderDone
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "the newer post was deleted on the retry")
	assert.Equal(t, []string{"older"}, p.posts())
}

// The wait of an older update for a Retract of a newer post is one of the
// channel's retrying, bounded by RetryPolicy.MaxElapsed as every wait is:
// before, it lasted as long as the Retract, whatever MaxElapsed said.
func TestOlderUpdateWaitsForARetractionWithinMaxElapsed(t *testing.T) {
	c := &slowDeletion{entered: make(chan struct{}), release: make(chan struct{})}
	var release sync.Once
	free := func() { release.Do(func() { close(c.release) }) }
	t.Cleanup(free)
	b, err := New([]Channel{c}, Options{Retry: RetryPolicy{MaxElapsed: 50 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	older, retracted := retractNewer(t, b, c.entered)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := b.Send(ctx, older)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the wait outlasted MaxElapsed")
	assert.ErrorContains(t, rep.Results[0].Err, "RetryPolicy.MaxElapsed")
	assert.ErrorContains(t, rep.Results[0].Err, "waiting for the retraction under way of newer")
	assert.False(t, rep.Results[0].Superseded)
	assert.Zero(t, rep.Results[0].Attempts, "no attempt was made")
	free()
	require.NoError(t, <-retracted)
	assert.Empty(t, c.posts())
}
