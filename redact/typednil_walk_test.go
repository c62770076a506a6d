package redact_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// panicsWith is an error whose Error panics with v.
type panicsWith struct{ v any }

func (e panicsWith) Error() string { panic(e.v) }

// What can be read of an error beside a part whose methods panic (a typed
// nil *net.OpError, wrapped, first in a join) is kept by the redacted
// error: what errors.Is matched past it, a net.Error's Timeout, the marks.
// Before, errors.Is of the redacted error, the net.Error looked for and
// the marks each walked the original whole and, at the first panic,
// answered false: the redacted error did not match context.Canceled,
// timed out no more, and lost the RetryAfter mark.
func TestRedactedKeepsWhatIsReadablePastATypedNil(t *testing.T) {
	const secret = "tok-3f9a1c77e2b54d08"
	r := redact.NewRedactor(redact.NewSecret(secret))
	bad := fmt.Errorf("dial: %w", (*net.OpError)(nil))
	slow := broadcast.RetryAfter(fmt.Errorf("get ?token=%s: %w", secret, context.Canceled), 5*time.Second)
	dns := &net.DNSError{Err: "timeout", Name: "example.com", IsTimeout: true}

	red := r.Error(errors.Join(bad, slow, dns))
	require.NotContains(t, red.Error(), secret)
	assert.ErrorIs(t, red, context.Canceled)
	d, ok := broadcast.RetryDelay(red)
	assert.True(t, ok, "RetryAfter kept")
	assert.Equal(t, 5*time.Second, d)
	ne, ok := errors.AsType[net.Error](red)
	require.True(t, ok)
	assert.True(t, ne.Timeout(), "timeout kept")
}

// An error whose Error panics with a value fmt cannot print either (an
// error whose own Error panics) does not make Error panic; its text holds
// no secret the panic carried. Before, the text of such an error, read
// again with fmt, panicked a second time, which fmt does not recover.
func TestErrorPanickingTwiceDoesNotPanic(t *testing.T) {
	const secret = "tok-3f9a1c77e2b54d08"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, bad := range []error{
		panicsWith{panicsWith{"get ?token=" + secret}},
		errors.Join(errors.New(secret), panicsWith{panicsWith{"y"}}),
	} {
		var red error
		require.NotPanics(t, func() { red = r.Error(bad) })
		require.Error(t, red)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, red), secret)
		}
	}
}
