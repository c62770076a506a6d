//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// rooms is a chat platform with two rooms, shared by the instances: it
// counts the posts to each room, and refuses #eng for now while engDown.
type rooms struct {
	mu      sync.Mutex
	engDown bool
	posts   map[string]int
	failed  chan struct{} // gets a value each time #eng refuses
}

// channel returns a new Channel for the platform, as each instance makes
// its own: one that keeps nothing in memory between Sends.
func (r *rooms) channel() broadcast.Channel {
	targets := []string{"#ops", "#eng"}
	return broadcast.ChannelFunc("chat", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, targets)
		for _, i := range f.Todo() {
			r.mu.Lock()
			down := r.engDown && targets[i] == "#eng"
			if !down {
				r.posts[targets[i]]++
			}
			r.mu.Unlock()
			if down {
				f.Report(i, errors.New("503 try later"))
				r.failed <- struct{}{}
				continue
			}
			id := "msg-" + targets[i]
			f.Posted(i, broadcast.Receipt{ID: id, Meta: map[string]string{"msg " + targets[i]: id}})
		}
		if err := f.Err(); err != nil {
			return broadcast.Receipt{}, err
		}
		return f.Receipt(), nil
	})
}

// A job whose first attempt reached one room, retried by another instance
// (the first one stopped), ends with a receipt that names the posts of
// both attempts: the posts are in the shared Store, not in either
// instance's memory.
func TestRetryOnAnotherInstanceNamesEveryPost(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	platform := &rooms{engDown: true, posts: map[string]int{}, failed: make(chan struct{}, 8)}
	cfg := dispatch.Config{Workers: 1, Retry: broadcast.RetryPolicy{InitialInterval: 3 * time.Second, MaxInterval: 3 * time.Second}}

	first, err := openInstance(ctx, dsn, []broadcast.Channel{platform.channel()}, broadcast.Options{}, cfg)
	require.NoError(t, err)
	require.NoError(t, first.d.Start(ctx))
	id, err := first.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	select {
	case <-platform.failed:
	case <-ctx.Done():
		t.Fatal("the first attempt never ran")
	}
	require.NoError(t, first.close(), "the first instance stops before the retry is due")
	platform.mu.Lock()
	platform.engDown = false
	platform.mu.Unlock()

	second := newInstance(t, dsn, []broadcast.Channel{platform.channel()}, broadcast.Options{}, cfg)
	second.start(t)
	rep, err := second.d.Wait(ctx, id)
	require.NoError(t, err)
	r := rep.Results[0].Receipt
	assert.Equal(t, map[string]string{"msg #ops": "msg-#ops", "msg #eng": "msg-#eng"}, r.Meta,
		"the receipt names the post the first instance made too")
	assert.Equal(t, "msg-#ops", r.ID)
	platform.mu.Lock()
	assert.Equal(t, map[string]int{"#ops": 1, "#eng": 1}, platform.posts, "each room once")
	platform.mu.Unlock()
	saved, ok, err := second.store.Receipt(ctx, id, "chat")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, r.Meta, saved.Meta, "and the Store keeps it")
}
