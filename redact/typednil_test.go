package redact_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// ptrJoin is a join whose methods read its fields through a pointer: a
// typed nil of it panics in Error and Unwrap.
type ptrJoin struct{ errs []error }

func (e *ptrJoin) Error() string   { return multiErr(e.errs).Error() }
func (e *ptrJoin) Unwrap() []error { return e.errs }

// badErrors are errors whose methods panic, or that hold one that does:
// typed nils in an error of each type the redactor reads the fields or
// the tree of (a *url.Error's, a net.Error's Timeout, a join's parts),
// and such types with a nil field their methods read.
func badErrors() map[string]error {
	return map[string]error{
		"nil *url.Error":              (*url.Error)(nil),
		"nil *net.OpError":            (*net.OpError)(nil),
		"nil *net.DNSError":           (*net.DNSError)(nil),
		"nil *os.SyscallError":        (*os.SyscallError)(nil),
		"nil net.Error of a value":    (*timeoutError)(nil),
		"nil join":                    (*ptrJoin)(nil),
		"nil wrapper":                 (*quietError)(nil),
		"nil *broadcast.DeliveryErr":  (*broadcast.DeliveryError)(nil),
		"nil *broadcast.PreviewError": (*broadcast.PreviewError)(nil),
		"nil *broadcast.TargetsError": (*broadcast.TargetsError)(nil),
		"*url.Error, nil Err":         &url.Error{Op: "Post", URL: "https://example.com/"},
		"*url.Error, nil *OpError":    &url.Error{Op: "Post", URL: "https://example.com/", Err: (*net.OpError)(nil)},
		"*net.OpError, nil Err":       &net.OpError{Op: "dial", Net: "tcp"},
		"*net.OpError, nil *DNSError": &net.OpError{Op: "dial", Net: "tcp", Err: (*net.DNSError)(nil)},
		"*os.SyscallError, nil Err":   &os.SyscallError{Syscall: "read"},
		"*net.DNSError, zero":         &net.DNSError{},
		"*PreviewError, nil Err":      &broadcast.PreviewError{Channel: "x"},
		"*DeliveryError, nil Err":     &broadcast.DeliveryError{Channel: "x", Attempts: 1},
		"join with a nil part":        multiErr{errors.New("a"), nil},
		"errors.Join of a typed nil":  errors.Join(errors.New("a"), (*url.Error)(nil)),
		"TargetsError, nil target":    &broadcast.TargetsError{Failures: []broadcast.TargetFailure{{Target: "a"}, {Target: "b", Err: (*net.OpError)(nil)}}},
	}
}

// Error panicked on a typed nil *net.OpError anywhere in an error (an
// error interface holding (*net.OpError)(nil)), and so on other typed
// nils and nil fields its walk, the copy of a *url.Error and the
// net.Error it keeps read (a *url.Error's URL, an OpError's Unwrap and
// Timeout). Each such error, alone, wrapped beside a secret, in a join,
// in a *url.Error, an *OpError, a DeliveryError or a TargetsError, and
// marked, now gives an error that prints no secret, whose tree, errors.Is
// and errors.As, marks and net.Error do not panic, and which keeps what
// can be read of the original: the sentinel a part beside it matched,
// the Permanent mark above it.
func TestTypedNilAndNilFieldsDoNotPanic(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw)).WithURL(redact.NewURL("https://example.com/in/" + pw))
	nests := map[string]func(bad error) error{
		"wrapped":         func(bad error) error { return fmt.Errorf("post %s: %w", pw, bad) },
		"in a join":       func(bad error) error { return errors.Join(fmt.Errorf("echo %s: %w", pw, errSentinel), bad) },
		"first in a join": func(bad error) error { return errors.Join(bad, fmt.Errorf("echo %s: %w", pw, errSentinel)) },
		"in a wrapped join": func(bad error) error {
			return fmt.Errorf("post %s: %w", pw, multiErr{bad, fmt.Errorf("echo %s: %w", pw, errSentinel)})
		},
		"in a *url.Error": func(bad error) error { return &url.Error{Op: "Post", URL: "https://example.com/in/" + pw, Err: bad} },
		"in an *OpError":  func(bad error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("%s: %w", pw, bad)} },
		"in a DeliveryError": func(bad error) error {
			return &broadcast.DeliveryError{Channel: "x", Attempts: 1, Err: fmt.Errorf("%s: %w", pw, bad)}
		},
		"in a TargetsError": func(bad error) error {
			return &broadcast.TargetsError{Failures: []broadcast.TargetFailure{{Target: "a", Err: bad}, {Target: "b", Err: errors.New(pw)}}}
		},
		"marked Permanent": func(bad error) error { return broadcast.Permanent(fmt.Errorf("post %s: %w", pw, bad)) },
	}
	for name, bad := range badErrors() {
		t.Run(name+", alone", func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = r.Error(bad) })
			if _, ok := errorText(bad); ok {
				return // its text holds no secret: returned as it is
			}
			require.Error(t, err)
			assertSound(t, err)
		})
		for how, nest := range nests {
			t.Run(name+", "+how, func(t *testing.T) {
				orig := nest(bad)
				var err error
				require.NotPanics(t, func() { err = r.Error(orig) })
				require.Error(t, err)
				assertSound(t, err)
				assertHidden(t, err, pw)
				switch how {
				case "in a join", "first in a join", "in a wrapped join":
					assert.ErrorIs(t, err, errSentinel, "the part beside it is kept")
				case "marked Permanent":
					assert.True(t, broadcast.IsPermanent(err), "the mark above it is kept")
				case "in a *url.Error":
					ue, ok := errors.AsType[*url.Error](err)
					if assert.True(t, ok, "a copy of the *url.Error") {
						assert.Equal(t, "Post", ue.Op)
					}
				}
			})
		}
	}
}

// errorText returns err's text, and false when its Error panics.
func errorText(err error) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return err.Error(), true
}

// assertSound asserts that nothing a caller does with err, a redacted
// error, panics: its text and fmt's verbs, of it and of every error
// reachable from it, errors.Is and errors.As, the marks, a net.Error's
// and a *url.Error's Timeout.
func assertSound(t *testing.T, err error) {
	t.Helper()
	assert.NotPanics(t, func() {
		walkTree(err, func(e error) {
			_ = e.Error()
			for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%d"} {
				_ = fmt.Sprintf(verb, e)
			}
		})
		_ = errors.Is(err, context.Canceled)
		_ = errors.Is(err, errSentinel)
		_, _ = broadcast.RetryDelay(err)
		_ = broadcast.IsPermanent(err)
		_ = broadcast.IsUncertain(err)
		_ = broadcast.IsUncertain(broadcast.MarkAs(errors.New("flat"), err))
		if ne, ok := errors.AsType[net.Error](err); ok {
			_ = ne.Timeout()
			_ = ne.(interface{ Temporary() bool }).Temporary()
			_ = ne.Error()
		}
		if ue, ok := errors.AsType[*url.Error](err); ok {
			_ = ue.Timeout()
			_ = ue.Error()
		}
		if te, ok := errors.AsType[*broadcast.TargetsError](err); ok {
			_ = te.Error()
		}
	})
}
