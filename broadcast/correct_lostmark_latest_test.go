package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// postingHooks is a channel with webhook-like endpoints whose receipt
// names each target's post in its Meta ("post/<target>"); those in
// refused answer 401 (permanent). It records the Thread each call was
// given.
type postingHooks struct {
	targets []string

	mu      sync.Mutex
	refused map[string]bool
	threads []broadcast.Thread
}

func (c *postingHooks) Name() string { return "hooks" }

func (c *postingHooks) refuse(refused map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused = refused
}

func (c *postingHooks) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.threads = append(c.threads, m.Thread)
	for _, i := range f.Todo() {
		t := c.targets[i]
		if c.refused[t] {
			f.Report(i, broadcast.Permanent(errors.New("401 Unauthorized")))
			continue
		}
		f.Posted(i, broadcast.Receipt{Meta: map[string]string{"post/" + t: m.Update.ID + "@" + t}})
	}
	return f.Receipt(), f.Err()
}

func (c *postingHooks) lastThread() broadcast.Thread {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.threads[len(c.threads)-1]
}

// A Correct again of a correction that is the thread's latest post, some
// of whose targets refused it for good and whose own mark was lost
// (ErrNotRecorded), keeps it the thread's latest post with the posts the
// refused targets get now, as when its mark was written: the incident's
// next update follows the correction on every target. Before, the post it
// followed was taken for a newer post, and the correction's receipt was
// saved outside the thread, so that the next update, on the targets tried
// again, followed no post.
func TestCorrectAgainAfterALostMarkOfTheLatestKeepsItsPosts(t *testing.T) {
	for _, lost := range []bool{false, true} {
		name := "mark written"
		if lost {
			name = "mark lost"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch := &postingHooks{targets: []string{"a", "b"}}
			st := markFailsOnce()
			st.markFailed.Store(true) // not the original's mark
			b := newBroadcaster(t, broadcast.Options{Store: st, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u1, u2, _, fixed := threadOfThree()

			_, err := b.Send(ctx, u1)
			require.NoError(t, err)
			st.markFailed.Store(!lost)
			ch.refuse(map[string]bool{"b": true})
			_, err = b.Correct(ctx, "u1", fixed)
			require.Error(t, err, "b refuses the correction")
			assert.Equal(t, lost, errors.Is(err, broadcast.ErrNotRecorded))
			ch.refuse(nil)

			rep, err := b.Correct(ctx, "u1", fixed)
			require.NoError(t, err)
			assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
			assert.Equal(t, "u1", ch.lastThread().Last.UpdateID, "b gets the correction after u1, as a did")

			th, err := b.Thread(ctx, "inc", "hooks")
			require.NoError(t, err)
			assert.Equal(t, "c1", th.Last.UpdateID)
			assert.Equal(t, map[string]string{"post/a": "c1@a", "post/b": "c1@b"}, th.Last.Meta,
				"the thread's latest post names the correction's posts on both targets")
			_, err = b.Send(ctx, u2)
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"post/a": "c1@a", "post/b": "c1@b"}, ch.lastThread().Last.Meta,
				"u2 follows the correction on both targets")
		})
	}
}
