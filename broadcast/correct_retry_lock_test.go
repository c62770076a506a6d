package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// afterSend calls after once the channel it wraps returns from a Send of
// the update named id: within the attempt, before its receipt is saved.
type afterSend struct {
	*receivers
	id    string
	after func()
}

func (c afterSend) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	r, err := c.receivers.Send(ctx, m)
	if m.Update.ID == c.id {
		c.after()
	}
	return r, err
}

// Another instance's newer update of the incident, sent while a Correct
// again is trying a correction's refused targets, waits for that attempt
// (Options.Lock holds the incident on the channel) and is posted after
// the correction: it does not save its receipt between the attempt's read
// of the thread and its save of the correction's receipt, where the
// correction, the thread's latest when read, would take its place.
func TestCorrectAgainHoldsNewerUpdateOfAnotherInstance(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	asked := make(chan struct{})
	var once sync.Once
	lock := func(ctx context.Context, key broadcast.LockKey) (func(), error) {
		if key.UpdateID == "u2" && key.Channel == "hooks" {
			once.Do(func() { close(asked) })
		}
		return store.Lock(ctx, key)
	}
	u1, u2, u3, fixed := threadOfThree()

	other := &receivers{targets: []string{"a", "b"}}
	b2 := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, other)
	newer := make(chan error, 1)
	armed := false
	ch := &receivers{targets: []string{"a", "b"}}
	c := afterSend{receivers: ch, id: "c1", after: func() {
		if armed {
			armed = false
			go func() {
				_, err := b2.Send(ctx, u2)
				newer <- err
			}()
			<-asked
		}
	}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, c)

	sendRefusedCorrection(t, b, ch, u1, fixed)
	armed = true
	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err, "b takes the correction now")
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	require.NoError(t, <-newer)

	other.mu.Lock()
	require.Len(t, other.threads, 1)
	assert.Equal(t, "post-c1", other.threads[0].Last.ID, "u2 follows the correction, posted before it")
	other.mu.Unlock()
	th, err := b.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "u2", th.Last.UpdateID)
	_, err = b.Send(ctx, u3)
	require.NoError(t, err)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, "post-u2", ch.threads[len(ch.threads)-1].Last.ID, "u3 replies to u2's post")
}
