package broadcast_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A fan-out's target that failed for good with an error marked Uncertain
// (its answer refused, though the platform may have posted: a relay's
// echo of the request) leaves the attempt's outcome unknown: the Permanent
// mark on the whole TargetsError judges only that no retry of this Send
// helps. A later Send of the update, which tries that target again, is
// not Attempt 1, so the channel looks for the post first.
func TestFanoutTargetFailedUncertainKeepsOutcomeUnknown(t *testing.T) {
	te := broadcast.Permanent(&broadcast.TargetsError{Total: 2, Failures: []broadcast.TargetFailure{
		{Target: "a", Err: broadcast.Permanent(broadcast.Uncertain(errors.New("answer echoes the token")))},
		{Target: "b", Err: broadcast.Permanent(errors.New("400 bad request"))},
	}})
	ch := &attempts{answers: []error{te}}
	sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
	assert.Equal(t, []int{1, 2}, ch.got(), "target a may have the post: the later run must look for it")
	assert.True(t, broadcast.IsUncertain(broadcast.MarkAs(errors.New("reworded"), te)), "MarkAs keeps it unknown")

	// Targets refused for good with no such mark are a definite answer.
	plain := broadcast.Permanent(&broadcast.TargetsError{Total: 1, Failures: []broadcast.TargetFailure{
		{Target: "b", Err: broadcast.Permanent(errors.New("400 bad request"))},
	}})
	ch = &attempts{answers: []error{plain}}
	sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
	assert.Equal(t, []int{1, 1}, ch.got())
}
