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

// refusesB is a fan-out channel with targets "a" and "b" whose first call
// delivers to a and has b refused with refusal; every later call delivers.
// It records each call's Message.Attempt.
type refusesB struct {
	refusal error
	mu      sync.Mutex
	seen    []int
}

func (c *refusesB) Name() string { return "fan" }

func (c *refusesB) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	c.seen = append(c.seen, m.Attempt)
	first := len(c.seen) == 1
	c.mu.Unlock()
	targets := []string{"a", "b"}
	f := broadcast.NewFanout(m, targets)
	for _, i := range f.Todo() {
		var err error
		if first && targets[i] == "b" {
			err = c.refusal
		}
		f.Report(i, err)
	}
	return broadcast.Receipt{}, f.Err()
}

func (c *refusesB) got() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.seen...)
}

// An attempt that reached some targets and had the others refused got a
// definite answer from every target: a later Send of the update, which
// tries the refused targets again, is Attempt 1, as after an attempt
// every target refused (TestDefiniteRefusalLeavesNoUnknownOutcome).
// Before, the delivery recorded for the targets reached left the
// attempt's outcome unknown, and the later Send was Attempt 2: a channel
// looked for a post to the refused target that no one made (X takes a
// duplicate refusal on Attempt > 1 as delivered). A refusal marked
// Uncertain (the platform may have posted all the same) still leaves it
// unknown.
func TestPartialRefusalLeavesNoUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refusal error
		want    []int
	}{
		{"refused", broadcast.Permanent(errors.New("400 invalid request")), []int{1, 1}},
		{"refused, uncertain", broadcast.Permanent(broadcast.Uncertain(errors.New("554 relay echo"))), []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := &refusesB{refusal: tc.refusal}
			store := broadcast.NewMemoryStore()
			u := validUpdate()
			u.ID = "u-1"
			rep, err := newBroadcaster(t, broadcast.Options{Store: store}, ch).Send(context.Background(), u)
			require.Error(t, err)
			require.Equal(t, []string{"b"}, failedTargets(rep.Results[0]))
			rep, err = newBroadcaster(t, broadcast.Options{Store: store}, ch).Send(context.Background(), u)
			require.NoError(t, err)
			assert.Equal(t, []string{"b"}, rep.Results[0].Delivered, "the refused target is tried again")
			assert.Equal(t, tc.want, ch.got())
		})
	}
}

func failedTargets(r broadcast.Result) []string {
	var out []string
	for _, f := range r.Failures {
		out = append(out, f.Target)
	}
	return out
}
