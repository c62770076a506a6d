// Package earlier holds the one error of a target that failed for good in
// an earlier attempt, which the broadcast package makes from the text its
// Ledger recorded, so that a channel reading that text back (the webhook
// channel's StatusCode) finds it by its type, not by a copy of its wording.
package earlier

import "errors"

// Error is the error of a target that failed permanently in an earlier
// attempt (of a Job, in an earlier run): Reason is the text then recorded.
type Error struct{ Reason string }

// Error returns "failed in an earlier attempt: " and the recorded text.
func (e *Error) Error() string { return "failed in an earlier attempt: " + e.Reason }

// Reason returns the recorded text of the Error in err's chain, and
// whether there is one.
func Reason(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, true
	}
	return "", false
}
