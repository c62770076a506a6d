// Package earlier holds the one error of a target that failed for good in
// an earlier attempt, which the broadcast package makes from the text its
// Ledger recorded, so that a channel reading that text back (the webhook
// channel's StatusCode) finds it by its type, not by a copy of its wording,
// and a caller finds the sentinel errors the text was made with by
// errors.Is, as in the attempt that recorded it.
package earlier

import "errors"

// Error is the error of a target that failed permanently in an earlier
// attempt (of a Job, in an earlier run): Reason is the text then recorded,
// Sentinels the sentinel errors that failure wrapped, as recorded with
// the text (see broadcast's recordedFailure), never read from its words.
type Error struct {
	Reason    string
	Sentinels []error
}

// Error returns "failed in an earlier attempt: " and the recorded text.
func (e *Error) Error() string { return "failed in an earlier attempt: " + e.Reason }

// Unwrap returns Sentinels, so that errors.Is matches each.
func (e *Error) Unwrap() []error { return e.Sentinels }

// Reason returns the recorded text of the Error in err's chain, and
// whether there is one.
func Reason(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, true
	}
	return "", false
}
