package broadcast

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowBoards posts to boards through a Fanout; its Retract waits for
// release, then deletes the post from every board but ap, which refuses.
type slowBoards struct {
	entered, release chan struct{}

	mu   sync.Mutex
	live map[string][]string // board → update IDs of its posts up
}

var slowBoardNames = []string{"eu", "us", "ap"}

func (c *slowBoards) Name() string { return "x" }

func (c *slowBoards) Send(_ context.Context, m Message) (Receipt, error) {
	f := NewFanout(m, slowBoardNames)
	for _, i := range f.Todo() {
		c.mu.Lock()
		c.live[slowBoardNames[i]] = append(c.live[slowBoardNames[i]], m.Update.ID)
		c.mu.Unlock()
		f.Posted(i, Receipt{ID: "p-" + m.Update.ID, Meta: map[string]string{"post." + slowBoardNames[i]: m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *slowBoards) Retract(_ context.Context, prev Receipt) error {
	close(c.entered)
	<-c.release
	f := NewFanout(Message{}, slowBoardNames)
	for _, i := range f.Todo() {
		board := slowBoardNames[i]
		if board == "ap" {
			f.Report(i, Permanent(errors.New("403 forbidden")))
			continue
		}
		c.mu.Lock()
		c.live[board] = slices.DeleteFunc(c.live[board], func(u string) bool { return u == prev.Meta["post."+board] })
		c.mu.Unlock()
		f.Report(i, nil)
	}
	return f.Err()
}

// An older update sent while a Retract of a newer one runs on a fan-out
// channel waits for it and, when the deletion failed on one board only, is
// posted to the boards whose newer post is gone, and superseded on the
// one that keeps it. Before, it was superseded on the whole channel, and
// two boards showed nothing of the incident.
func TestOlderUpdateWaitsForAPartlyFailedRetraction(t *testing.T) {
	c := &slowBoards{entered: make(chan struct{}), release: make(chan struct{}), live: map[string][]string{}}
	var once sync.Once
	free := func() { once.Do(func() { close(c.release) }) }
	t.Cleanup(free)
	b, err := New([]Channel{c}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	older, retracted := retractNewer(t, b, c.entered)
	older.Time = older.Time.Add(time.Minute) // still the older
	done := make(chan struct{})
	var rep *Report
	go func() {
		defer close(done)
		rep, err = b.Send(context.Background(), older)
	}()
	for !b.flights.awaited("newer", "x") {
		select {
		case <-done:
			t.Fatal("the older update did not wait for the retraction")
		default:
		}
		runtime.Gosched()
	}
	free()
	require.Error(t, <-retracted, "ap refused")
	<-done
	require.NoError(t, err)
	res := rep.Results[0]
	assert.False(t, res.Superseded)
	assert.Equal(t, []string{"eu", "us"}, res.Delivered)
	assert.Equal(t, []string{"ap"}, res.SupersededTargets)
	c.mu.Lock()
	defer c.mu.Unlock()
	assert.Equal(t, map[string][]string{"eu": {"older"}, "us": {"older"}, "ap": {"newer"}}, c.live)
}
