package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"runtime"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awaited reports whether a delivery waits for the end of the Retract of
// update on channel under way (see retractionEnd).
func (f *flights) awaited(update, channel string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.m[flightKey{update, channel}]
	return fl != nil && fl.gone != nil
}

// slowDeletion posts in memory; its Retract waits for release, then deletes
// the post or, with refuse set, fails for good.
type slowDeletion struct {
	refuse  bool
	entered chan struct{}
	release chan struct{}

	mu   sync.Mutex
	live []string // update IDs of the posts up, in the order posted
}

func (c *slowDeletion) Name() string { return "x" }

func (c *slowDeletion) Send(_ context.Context, m Message) (Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = append(c.live, m.Update.ID)
	return Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *slowDeletion) Retract(_ context.Context, prev Receipt) error {
	close(c.entered)
	<-c.release
	if c.refuse {
		return Permanent(errors.New("403 forbidden"))
	}
	return c.del(prev)
}

// del deletes the post prev names.
func (c *slowDeletion) del(prev Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, id := range c.live {
		if "post-"+id == prev.ID {
			c.live = append(c.live[:i], c.live[i+1:]...)
			break
		}
	}
	return nil
}

func (c *slowDeletion) posts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.live...)
}

// An older update of an incident sent while a Retract of a newer one is
// deleting its post waits for the Retract's outcome: posted once the newer
// post is gone, Superseded when the deletion failed and the post stays.
// Before, it was posted at once, also after a newer post that then stayed
// up, and in a thread of its own.
func TestOlderUpdateWaitsForTheRetractionOfANewer(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("deletion fails %v", refuse), func(t *testing.T) {
			c := &slowDeletion{refuse: refuse, entered: make(chan struct{}), release: make(chan struct{})}
			var release sync.Once
			free := func() { release.Do(func() { close(c.release) }) }
			t.Cleanup(free)
			b, err := New([]Channel{c}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })
			ctx := context.Background()
			older, retracted := retractNewer(t, b, c.entered)
			type sent struct {
				rep *Report
				err error
			}
			olderSent := make(chan sent, 1)
			go func() {
				rep, err := b.Send(ctx, older)
				olderSent <- sent{rep, err}
			}()
			var s sent
		waiting:
			for {
				select {
				case s = <-olderSent: // posted without waiting
					break waiting
				default:
				}
				if b.flights.awaited("newer", "x") {
					break // the older update waits for the Retract: let it end
				}
				runtime.Gosched()
			}
			free()
			if s.rep == nil {
				s = <-olderSent
			}
			rep, err := s.rep, s.err
			require.NoError(t, err)
			if refuse {
				require.Error(t, <-retracted)
				assert.True(t, rep.Results[0].Superseded, "the newer post stays up: the older update is not posted after it")
				assert.Equal(t, []string{"newer"}, c.posts())
			} else {
				require.NoError(t, <-retracted)
				assert.False(t, rep.Results[0].Superseded)
				assert.Equal(t, []string{"older"}, c.posts(), "the newer post deleted, the older one posted")
			}
		})
	}
}

// flakyDeletion is slowDeletion whose first Retract, once released, fails
// as a server error would: the deletion is retried.
type flakyDeletion struct {
	slowDeletion
	calls int
}

func (c *flakyDeletion) Retract(ctx context.Context, prev Receipt) error {
	if c.calls++; c.calls == 1 {
		close(c.entered)
		<-c.release
		return errors.New("503 service unavailable")
	}
	return c.slowDeletion.del(prev)
}

// An older update waits for the whole of a Retract of a newer one, its
// retries included: a deletion that fails once and then succeeds leaves
// the older update posted. Before, the older update woke when the first
// attempt failed, found the newer post still up and was Superseded; the
// retry then deleted that post, and neither update was out there.
func TestOlderUpdateWaitsForTheRetriesOfARetraction(t *testing.T) {
	c := &flakyDeletion{slowDeletion: slowDeletion{entered: make(chan struct{}), release: make(chan struct{})}}
	var release sync.Once
	free := func() { release.Do(func() { close(c.release) }) }
	t.Cleanup(free)
	olderDone := make(chan struct{})
	var b *Broadcaster
	// The Retract logs its retry before it waits for it. An older update
	// still waiting for the Retract holds the newer post's flight; one
	// that did not wait is let end first. (A log record, not an Event:
	// OnEvent is called one event at a time.)
	onRetry := func() {
		if !b.flights.awaited("newer", "x") {
			<-olderDone
		}
	}
	b, err := New([]Channel{c}, Options{Logger: slog.New(&retryHook{update: "newer", hook: onRetry}),
		Retry: RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	older, retracted := retractNewer(t, b, c.entered)
	var rep *Report
	go func() {
		defer close(olderDone)
		rep, err = b.Send(ctx, older)
	}()
	for !b.flights.awaited("newer", "x") {
		select {
		case <-olderDone:
			t.Fatal("the older update did not wait for the retraction")
		default:
		}
		runtime.Gosched()
	}
	free()
	require.NoError(t, <-retracted)
	<-olderDone
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "the newer post was deleted on the retry")
	assert.Equal(t, []string{"older"}, c.posts())
}

// retractNewer sends update "newer" of incident cdn through b, starts its
// Retract, and returns once the channel's deletion has begun (entered):
// the update "older", an hour older, to send meanwhile, and the Retract's
// error, when it ends.
func retractNewer(t *testing.T, b *Broadcaster, entered <-chan struct{}) (Update, <-chan error) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newer := Update{ID: "newer", IncidentID: "cdn", Title: "CDN errors", Status: StatusIdentified, Time: base.Add(time.Hour)}
	older := Update{ID: "older", IncidentID: "cdn", Title: "CDN errors", Status: StatusInvestigating, Time: base}
	_, err := b.Send(ctx, newer)
	require.NoError(t, err)
	retracted := make(chan error, 1)
	go func() {
		_, err := b.Retract(ctx, "newer")
		retracted <- err
	}()
	<-entered
	return older, retracted
}

// retryHook is a slog.Handler calling hook as a delivery of update logs
// that it will retry.
type retryHook struct {
	update string
	hook   func()
}

func (h *retryHook) Enabled(context.Context, slog.Level) bool { return true }

func (h *retryHook) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "broadcast: "+string(EventRetry) {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "update" && a.Value.String() == h.update {
			h.hook()
		}
		return true
	})
	return nil
}

func (h *retryHook) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *retryHook) WithGroup(string) slog.Handler      { return h }
