package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// sentMarkHook is a Store that runs hook, once, before it writes an
// update's sent mark (the mark (update, "\x00sent", "\x00sent")).
type sentMarkHook struct {
	broadcast.Store
	ran  atomic.Bool
	hook func()
}

func (s *sentMarkHook) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if channel == "\x00sent" && target == "\x00sent" && s.hook != nil && s.ran.CompareAndSwap(false, true) {
		s.hook() // not under a sync.Once: a Mark that the hook makes waits for none
	}
	return s.Store.Mark(ctx, updateID, channel, target, failure)
}

// gatedDeleter is a channel that can delete its posts, and whose first
// Send tells entered and waits for release.
type gatedDeleter struct {
	deleter
	entered, release chan struct{}
	once             sync.Once
}

func (g *gatedDeleter) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.deleter.Send(ctx, m)
}

// The sent mark vouches for every record of the update written since its
// first Send (see delivery.pruned): a Retract Skips a channel without a
// record of the update while the mark is kept. A Prune that ran while the
// first Send was under way, after its deliveries wrote their records and
// before the sent mark, removed those records whole (x's receipt among
// them) and the record of the first Send; another instance's Send of the
// update, under way since before the Prune, then delivered z. A Retract
// must not Skip x, whose post is up: it deletes it, or fails naming Prune.
func TestRetractAfterPruneDuringFirstSendDoesNotSkipPostedChannel(t *testing.T) {
	ctx := context.Background()
	mem := broadcast.NewMemoryStore()
	store := &sentMarkHook{Store: mem}
	x := &deleter{script: script{name: "x"}}
	z := &deleter{script: script{name: "z", errs: []error{broadcast.Permanent(errFlaky)}}}
	b1 := newBroadcaster(t, broadcast.Options{Store: store}, x, z)
	z2 := &gatedDeleter{deleter: deleter{script: script{name: "z"}}, entered: make(chan struct{}), release: make(chan struct{})}
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, z2)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	var err2 error
	store.hook = func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err2 = b2.Send(ctx, a)
		}()
		<-z2.entered
		_, err := mem.Prune(ctx, time.Now())
		assert.NoError(t, err)
		close(z2.release)
		<-done
	}
	_, _ = b1.Send(ctx, a) // z fails on b1, unless b2's delivery came first
	require.NoError(t, err2)

	rep, err := b1.Retract(ctx, "a")
	require.NotNil(t, rep)
	assert.False(t, rep.Results[0].Skipped, "x: its post is up")
	if len(x.retracts) == 0 {
		var de *broadcast.DeliveryError
		if assert.True(t, errors.As(err, &de)) && assert.Error(t, rep.Results[0].Err, "x") {
			assert.Contains(t, rep.Results[0].Err.Error(), "Prune")
		}
	}
	assert.Len(t, z.retracts, 1, "z's post, b2's, deleted")
}
