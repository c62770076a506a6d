package redact_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A part of a redacted join is given as itself only when nothing
// reachable from it prints a secret: its text alone was looked at, so a
// part whose Error() hides what its own chain holds (a cause it does not
// print), whose %+v or %#v prints more than its text, or a join inside it
// holding such a part, handed out through Unwrap the secret that the
// redacted error's text hides; and a secret a wrapper's text split with a
// part ("token " + half, then the part's text starting with the other
// half) left that part, whose text alone holds no secret, with half of
// it. Every error reachable from the redacted error through Unwrap() error
// and Unwrap() []error prints no secret, nor a piece of one, under any
// verb.
func TestRedactedJoinWalkHoldsNoSecret(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	half := len(pw) / 2
	echo := errors.New("echo " + pw)
	hidden := &quietError{msg: "request refused", err: errors.New("token " + pw)}
	for name, tt := range map[string]struct {
		orig   error
		pieces []string
	}{
		"a part whose cause it does not print": {errors.Join(hidden, echo), []string{pw}},
		"a part printing more with %+v":        {errors.Join(&verboseError{msg: "refused", detail: pw}, echo), []string{pw}},
		"a part printing a field with %#v":     {errors.Join(&fieldsError{Msg: "refused", Token: pw}, echo), []string{pw}},
		"a join in a part beside a secret":     {errors.Join(fmt.Errorf("b: %w", errors.Join(hidden, errors.New("c"))), echo), []string{pw}},
		"a secret split with a wrapper": {
			fmt.Errorf("token %s%w", pw[:half], errors.Join(errors.New(pw[half:]+" refused"), errors.New("x"))),
			[]string{pw[half:]},
		},
		"a secret split with a wrapper, in a part": {
			errors.Join(errors.New("a"), fmt.Errorf("token %s%w", pw[:half], errors.Join(errors.New(pw[half:]+" refused"), errors.New("x")))),
			[]string{pw[half:]},
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := r.Error(tt.orig)
			require.NotSame(t, tt.orig, err, "the original's text holds the secret")
			for _, piece := range tt.pieces {
				assertNoPartHolds(t, err, piece)
			}
		})
	}
}

// A part without a secret anywhere in it is still found as it is.
func TestRedactedJoinCleanPartFound(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	clean := &quietError{msg: "request refused", err: errors.New("no token")}
	err := r.Error(errors.Join(clean, errors.New("echo "+pw)))
	q, ok := errors.AsType[*quietError](err)
	if assert.True(t, ok) {
		assert.Same(t, clean, q)
	}
}

// quietError does not print its cause.
type quietError struct {
	msg string
	err error
}

func (e *quietError) Error() string { return e.msg }
func (e *quietError) Unwrap() error { return e.err }

// verboseError prints its detail with %+v only.
type verboseError struct{ msg, detail string }

func (e *verboseError) Error() string { return e.msg }

func (e *verboseError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('+') {
		fmt.Fprintf(f, "%s: %s", e.msg, e.detail)
		return
	}
	fmt.Fprint(f, e.msg)
}

// fieldsError has a field its text leaves out.
type fieldsError struct{ Msg, Token string }

func (e *fieldsError) Error() string { return e.Msg }
