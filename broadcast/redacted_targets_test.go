package broadcast_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A channel's *TargetsError whose pending target's error is unknown in
// part (a rate limit joined to a timeout: that target's post may be up)
// is no definite answer, and a later run's first attempt looks for the
// post (Attempt 2), also when the channel redacted the error because the
// rate limit's text echoed its token: the redacted copy of the
// TargetsError, which the Broadcaster reads target by target, must not
// turn that target's error into a definite rate limit.
func TestRedactedPendingTargetUnknownInPartStaysUnknown(t *testing.T) {
	const token = "s3cr3t-t0ken-123456"
	r := redact.NewRedactor(redact.NewSecret(token))
	pending := &broadcast.TargetsError{Total: 2, Pending: []broadcast.TargetFailure{{Target: "a",
		Err: errors.Join(broadcast.RetryAfter(errors.New("429 for token "+token), time.Hour), errTimedOut)}}}
	// A target that failed for good is judged by its Uncertain mark
	// alone: one refused without it is a definite answer, redacted or
	// not (a later run's first attempt is Attempt 1).
	failed := &broadcast.TargetsError{Total: 2, Failures: []broadcast.TargetFailure{{Target: "a",
		Err: errors.Join(broadcast.Permanent(errors.New("403 for token "+token)), errTimedOut)}}}
	for _, tt := range []struct {
		name string
		err  error
		want []int
	}{
		{"pending", pending, []int{1, 2}},
		{"pending redacted", r.Error(pending), []int{1, 2}},
		{"failed", broadcast.Permanent(failed), []int{1, 1}},
		{"failed redacted", r.Error(broadcast.Permanent(failed)), []int{1, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, strings.Contains(tt.name, "redacted"), !strings.Contains(tt.err.Error(), token))
			ch := &attempts{answers: []error{tt.err}}
			sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
			assert.Equal(t, tt.want, ch.got())
		})
	}
}
