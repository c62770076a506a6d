package redact_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A join inside a Permanent mark is judged by the mark: its parts are
// not each judged, so a part that, taken alone, is a join of a rate
// limit and an unmarked error (an outcome unknown in part) does not make
// the whole Uncertain. Its part, redacted alone, gained the Uncertain
// mark that broadcast.MarkAs gives such an error, and made the redacted
// whole Uncertain, which the original was not.
func TestRedactedJoinPartGainsNoMark(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	orig := broadcast.Permanent(errors.Join(errors.New("403"),
		errors.Join(broadcast.RetryAfter(errors.New("429"), time.Second), errors.New("echo "+pw))))
	err := r.Error(orig)
	assert.NotContains(t, err.Error(), pw)
	marked := broadcast.MarkAs(errors.New("flat"), orig)
	assert.Equal(t, broadcast.IsPermanent(marked), broadcast.IsPermanent(err))
	assert.Equal(t, broadcast.IsUncertain(marked), broadcast.IsUncertain(err))
	od, owaits := broadcast.RetryDelay(orig)
	d, waits := broadcast.RetryDelay(err)
	assert.Equal(t, owaits, waits)
	assert.Equal(t, od, d)
}
