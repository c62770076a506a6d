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

// quotingTargets is a channel that fans out to targets, each failing with
// its error in fail (nil: delivered), which a test changes between runs.
type quotingTargets struct {
	targets []string
	mu      sync.Mutex
	fail    map[string]error
}

func (c *quotingTargets) Name() string { return "hooks" }

func (c *quotingTargets) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		c.mu.Lock()
		err := c.fail[c.targets[i]]
		c.mu.Unlock()
		f.Report(i, err)
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

// A target's failure for good whose text merely quotes a sentinel's text
// (an endpoint echoing what it was sent, or a platform's message) is not
// read as wrapping that sentinel in a Job's later run, any more than it
// wrapped it in the first: errors.Is answers the same in both. The later
// run rebuilt the error from the text the Store kept, and took any text
// containing "broadcast: retracted" or "broadcast: not supported by this
// channel" for ErrRetracted or ErrNotSupported.
func TestJobLaterRunDoesNotReadSentinelIntoQuotedText(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, sentinel := range []error{broadcast.ErrRetracted, broadcast.ErrNotSupported} {
			t.Run(storeName+"/"+sentinel.Error(), func(t *testing.T) {
				ctx := context.Background()
				quoted := broadcast.Permanent(errors.New(`422 Unprocessable Entity: {"error":"body says '` + sentinel.Error() + `': not accepted"}`))
				ch := &quotingTargets{targets: []string{"a", "b", "c"},
					fail: map[string]error{"a": quoted, "b": errors.New("503 Service Unavailable")}}
				opts := broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
				b := newBroadcaster(t, opts, ch)
				u := validUpdate()
				u.ID, u.IncidentID = "u1", "inc"
				js, err := b.Jobs(broadcast.JobSend, u, "")
				require.NoError(t, err)
				first := b.RunJob(ctx, js[0], 1)
				require.Error(t, first.Err)
				require.False(t, broadcast.IsPermanent(first.Err), "b is to be tried again: %v", first.Err)
				require.NotErrorIs(t, first.Err, sentinel)

				ch.mu.Lock()
				ch.fail = map[string]error{"a": quoted}
				ch.mu.Unlock()
				later := b.RunJob(ctx, js[0], 2)
				require.Error(t, later.Err, "a failed for good")
				require.Len(t, later.Failures, 1)
				assert.Equal(t, "a", later.Failures[0].Target)
				assert.Contains(t, later.Failures[0].Err.Error(), sentinel.Error(), "the text is kept")
				assert.NotErrorIs(t, later.Failures[0].Err, sentinel)
				assert.NotErrorIs(t, later.Err, sentinel)
			})
		}
	}
}
