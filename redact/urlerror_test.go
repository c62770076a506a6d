package redact_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// assertHidden asserts that err's text and fmt's %v, %+v and %#v of it,
// and of every error in its tree, do not hold s.
func assertHidden(t *testing.T, err error, s string) {
	t.Helper()
	assert.NotContains(t, err.Error(), s)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), s, verb)
	}
	assertNothingHolds(t, err, s)
}

// A *url.Error (what net/http's client returns) whose URL held a token
// was lost through a redacted error: errors.As found no *url.Error. The
// redacted error now unwraps to a copy of it: its Op as is, its URL as
// the Redactor shows it, its Err redacted as a part's is (itself when it
// prints no secret), so that errors.Is still matches through it; never the
// original, whose URL holds the token.
func TestRedactedKeepsURLError(t *testing.T) {
	const tok = "T0K3N-abcdef1234567"
	raw := "https://hooks.example.com/in/" + tok
	r := redact.NewRedactor().WithURL(redact.NewURL(raw))
	echo := fmt.Errorf("echo %s: %w", tok, context.DeadlineExceeded)
	for name, tt := range map[string]struct {
		err   func(*url.Error) error
		inner error // the copy's Err, when it is the original's
	}{
		"alone":                 {err: func(ue *url.Error) error { return ue }, inner: context.DeadlineExceeded},
		"wrapped":               {err: func(ue *url.Error) error { return fmt.Errorf("webhook: post: %w", ue) }, inner: context.DeadlineExceeded},
		"in a DeliveryError":    {err: func(ue *url.Error) error { return &broadcast.DeliveryError{Channel: "x", Attempts: 1, Err: ue} }, inner: context.DeadlineExceeded},
		"marked":                {err: func(ue *url.Error) error { return broadcast.RetryAfter(ue, time.Second) }, inner: context.DeadlineExceeded},
		"its Err holds a token": {err: func(ue *url.Error) error { ue.Err = echo; return ue }},
	} {
		t.Run(name, func(t *testing.T) {
			orig := &url.Error{Op: "Post", URL: raw, Err: context.DeadlineExceeded}
			in := tt.err(orig)
			err := r.Error(in)
			assertHidden(t, err, tok)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			ue, ok := errors.AsType[*url.Error](err)
			require.True(t, ok, "errors.As finds a *url.Error")
			assert.NotSame(t, orig, ue, "never the original")
			assert.Equal(t, "Post", ue.Op)
			assert.Equal(t, r.String(raw), ue.URL)
			assert.Equal(t, redact.ShowURL(raw), ue.URL)
			assert.ErrorIs(t, ue, context.DeadlineExceeded)
			if tt.inner != nil {
				assert.Equal(t, tt.inner, ue.Err, "an Err that prints no secret is kept")
			}
			d, waits := broadcast.RetryDelay(err)
			_, origWaits := broadcast.RetryDelay(in)
			assert.Equal(t, origWaits, waits)
			if waits {
				assert.Equal(t, time.Second, d)
			}
		})
	}
}

// timeoutError is a net.Error whose Timeout is as given.
type timeoutError struct {
	msg     string
	timeout bool
}

func (e timeoutError) Error() string   { return e.msg }
func (e timeoutError) Timeout() bool   { return e.timeout }
func (e timeoutError) Temporary() bool { return e.timeout }

// A net.Error's Timeout was lost through a redacted error: a caller
// checking errors.As(err, &ne) && ne.Timeout() got false once a secret
// was hidden, wherever the net.Error was (in a wrapper's chain, behind a
// *url.Error whose Err printed a secret, itself printing one). errors.As
// now finds a net.Error whose Timeout (and Temporary) answer as the
// original's did, which prints no secret; an error that held no net.Error
// still holds none.
func TestRedactedKeepsNetErrorTimeout(t *testing.T) {
	const tok = "T0K3N-abcdef1234567"
	raw := "https://hooks.example.com/in/" + tok
	r := redact.NewRedactor(redact.NewSecret(tok)).WithURL(redact.NewURL(raw))
	for _, timeout := range []bool{true, false} {
		dns := &net.DNSError{Err: "no such host", Name: tok + ".example.com", IsTimeout: timeout}
		op := &net.OpError{Op: "dial", Net: "tcp", Err: dns}
		for name, in := range map[string]error{
			"wrapper holds the secret": fmt.Errorf("send %s: %w", tok, timeoutError{"i/o timeout", timeout}),
			"OpError holds it":         fmt.Errorf("send: %w", op),
			"url.Error's Err holds it": &url.Error{Op: "Get", URL: "https://example.com/", Err: op},
			"url.Error and Err hold it": &broadcast.DeliveryError{Channel: "x", Attempts: 1,
				Err: broadcast.Permanent(&url.Error{Op: "Get", URL: raw, Err: op})},
			"in a join": errors.Join(errors.New("other "+tok), fmt.Errorf("x: %w", op)),
		} {
			t.Run(fmt.Sprintf("%s, timeout %v", name, timeout), func(t *testing.T) {
				require.True(t, r.Holds(in.Error()))
				was, ok := errors.AsType[net.Error](in)
				require.True(t, ok)
				require.Equal(t, timeout, was.Timeout(), "as the original answers")
				err := r.Error(in)
				assertHidden(t, err, tok)
				assertHidden(t, err, "T0K3N")
				ne, ok := errors.AsType[net.Error](err)
				require.True(t, ok, "errors.As finds a net.Error")
				assert.Equal(t, timeout, ne.Timeout())
				assert.Equal(t, timeout, ne.(interface{ Temporary() bool }).Temporary())
				assertHidden(t, ne, tok)
				if ue, ok := errors.AsType[*url.Error](err); ok {
					assert.Equal(t, timeout, ue.Timeout(), "the *url.Error's own Timeout, which asks its Err")
				}
				assert.Equal(t, broadcast.IsPermanent(in), broadcast.IsPermanent(err))
			})
		}
	}
	err := r.Error(errors.New("refused " + tok))
	_, ok := errors.AsType[net.Error](err)
	assert.False(t, ok, "no net.Error where there was none")
}
