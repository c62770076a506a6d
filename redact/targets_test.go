package redact_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A redacted *broadcast.TargetsError keeps its structure, as a redacted
// join does: errors.As finds a copy of it, whose targets are the
// original's, each target's error itself when nothing in its tree prints
// a secret and redacted otherwise, with the marks it carries. Before, the
// redacted error was flat: errors.As found no TargetsError, so a caller
// (or the Broadcaster, judging which targets' outcomes are unknown) lost
// which targets failed and why, once one target's error echoed a secret.
func TestRedactedTargetsErrorKeepsItsTargets(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	field := &broadcast.FieldError{Field: "Title", Problem: "missing"}
	echoed := broadcast.RetryAfter(fmt.Errorf("server said %q: %w", pw, context.DeadlineExceeded), 3*time.Second)
	te := &broadcast.TargetsError{Total: 4,
		Pending: []broadcast.TargetFailure{{Target: "a", Err: echoed}, {Target: "b", Err: context.DeadlineExceeded}},
		Failures: []broadcast.TargetFailure{{Target: "c", Err: broadcast.Permanent(field)},
			{Target: "d", Err: broadcast.Permanent(errors.New("token " + pw + " refused"))}},
	}
	orig := broadcast.RetryAfter(fmt.Errorf("demo: %w", te), 3*time.Second)
	err := r.Error(orig)
	require.NotSame(t, orig, err)
	assert.NotContains(t, err.Error(), pw)
	assert.Equal(t, r.String(orig.Error()), err.Error())

	got, ok := errors.AsType[*broadcast.TargetsError](err)
	require.True(t, ok, "errors.As finds the TargetsError")
	require.NotSame(t, te, got, "a copy: the original's errors hold the secret")
	assert.Equal(t, 4, got.Total)
	require.Len(t, got.Pending, 2)
	require.Len(t, got.Failures, 2)
	assert.Equal(t, []string{"a", "b", "c", "d"},
		[]string{got.Pending[0].Target, got.Pending[1].Target, got.Failures[0].Target, got.Failures[1].Target})
	assert.Equal(t, r.String(echoed.Error()), got.Pending[0].Err.Error(), "a target's error with a secret is redacted")
	d, waits := broadcast.RetryDelay(got.Pending[0].Err)
	assert.True(t, waits)
	assert.Equal(t, 3*time.Second, d)
	assert.ErrorIs(t, got.Pending[0].Err, context.DeadlineExceeded)
	assert.Equal(t, context.DeadlineExceeded, got.Pending[1].Err, "a target's error without one is itself")
	assert.Same(t, te.Failures[0].Err, got.Failures[0].Err)
	fe, ok := errors.AsType[*broadcast.FieldError](got.Failures[0].Err)
	if assert.True(t, ok) {
		assert.Same(t, field, fe)
	}
	assert.True(t, broadcast.IsPermanent(got.Failures[1].Err))
	assert.NotContains(t, got.Failures[1].Err.Error(), pw)
	assert.Equal(t, r.String(te.Error()), got.Error())

	assert.ErrorIs(t, err, context.DeadlineExceeded)
	marked := broadcast.MarkAs(errors.New("flat"), orig)
	assert.Equal(t, broadcast.IsPermanent(marked), broadcast.IsPermanent(err))
	assert.Equal(t, broadcast.IsUncertain(marked), broadcast.IsUncertain(err))
	d, waits = broadcast.RetryDelay(err)
	assert.True(t, waits)
	assert.Equal(t, 3*time.Second, d)
	assertNothingHolds(t, err, pw)

	// A TargetsError in a join's part keeps its structure too.
	err = r.Error(errors.Join(errors.New("x"), te))
	got, ok = errors.AsType[*broadcast.TargetsError](err)
	if assert.True(t, ok) {
		assert.Equal(t, context.DeadlineExceeded, got.Pending[1].Err)
	}
	assertNothingHolds(t, err, pw)
}

// A TargetsError whose copy would still print a secret, or a piece of
// one, is kept all the same, its text hidden where it shows: a target
// named with the secret is shown with the name redacted (the copy's
// Target is the name, by which the Broadcaster records the target's
// outcome); a target's error whose text ends in a secret's start that the
// wrapper's text ends shows as REDACTED. Before, the redacted error was
// flat: errors.As found no TargetsError, and the Broadcaster took the
// whole channel for failed, losing the targets done, pending and
// refused. (The test asserted that defect: found was false.)
func TestRedactedTargetsErrorKeptWhereItShows(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	half := len(pw) / 2
	for name, tt := range map[string]struct {
		te     *broadcast.TargetsError
		orig   error
		pieces []string
		text   string
	}{
		"a target named with the secret": {
			te:     &broadcast.TargetsError{Total: 1, Pending: []broadcast.TargetFailure{{Target: "hook-" + pw, Err: errors.New("503")}}},
			pieces: []string{pw},
			text:   "1 of 1 target not delivered (1 pending, 0 failed permanently): hook-REDACTED: 503",
		},
		"a secret split with a wrapper": {
			te:     &broadcast.TargetsError{Pending: []broadcast.TargetFailure{{Target: "a", Err: errors.New("token " + pw[:half])}}},
			pieces: []string{pw[:half]},
			text:   "1 target not delivered (1 pending, 0 failed permanently): REDACTED: REDACTED",
		},
	} {
		t.Run(name, func(t *testing.T) {
			orig := error(tt.te)
			if strings.Contains(name, "wrapper") {
				orig = fmt.Errorf("%w%s refused", tt.te, pw[half:])
			}
			err := r.Error(orig)
			require.NotSame(t, orig, err)
			got, found := errors.AsType[*broadcast.TargetsError](err)
			require.True(t, found)
			require.NotSame(t, tt.te, got)
			assert.Equal(t, tt.text, got.Error())
			assert.Equal(t, tt.te.Total, got.Total)
			require.Len(t, got.Pending, 1)
			assert.Equal(t, tt.te.Pending[0].Target, got.Pending[0].Target, "the name, by which the outcome is recorded")
			for _, e := range reachable(err) {
				for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%d", "%x"} {
					for _, piece := range tt.pieces {
						assert.NotContains(t, fmt.Sprintf(verb, e), piece, "%T printed with %s", e, verb)
					}
				}
			}
		})
	}
}

// assertNothingHolds is assertNoPartHolds, also through the targets'
// errors of each *broadcast.TargetsError it reaches.
func assertNothingHolds(t *testing.T, err error, s string) {
	t.Helper()
	walkTree(err, func(e error) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%d"} {
			assert.NotContains(t, fmt.Sprintf(verb, e), s, "%T printed with %s", e, verb)
		}
		if te, ok := e.(*broadcast.TargetsError); ok {
			for _, f := range append(append([]broadcast.TargetFailure(nil), te.Pending...), te.Failures...) {
				assert.NotContains(t, f.Target, s)
				assertNothingHolds(t, f.Err, s)
			}
		}
	})
}
