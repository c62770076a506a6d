package redact_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A *broadcast.TargetsError that is a join's part, or that a part finds
// with an As method, is looked into for secrets as a part's chain is: a
// target's error that prints a secret only in its %+v (its text and the
// TargetsError's, which a mark's Error gives, hold none) is not handed
// out as it is. Before, the part was kept as it was, and errors.As found
// the original TargetsError and that target's error.
func TestJoinPartTargetsErrorLookedInto(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	detail := &fmtErr{msg: "refused", more: "token " + pw, verb: "%+v"}
	te := &broadcast.TargetsError{Total: 2, Failures: []broadcast.TargetFailure{{Target: "a", Err: broadcast.Permanent(detail)}}}
	for name, part := range map[string]error{
		"the TargetsError":      te,
		"found by an As method": &asTargets{msg: "retract", te: te},
	} {
		t.Run(name, func(t *testing.T) {
			orig := errors.Join(errors.New("echo "+pw), part)
			err := r.Error(orig)
			require.NotSame(t, orig, err)
			assertNothingHolds(t, err, pw)
			if got, ok := errors.AsType[*broadcast.TargetsError](err); ok {
				require.NotSame(t, te, got)
				require.Len(t, got.Failures, 1)
				assert.NotContains(t, fmtPlus(got.Failures[0].Err), pw)
				assert.True(t, broadcast.IsPermanent(got.Failures[0].Err))
			}
		})
	}
}

func fmtPlus(err error) string { return fmt.Sprintf("%+v", err) }

// A join's part whose Format prints a secret under %d or %x alone (its
// text, %v, %+v, %#v, %s and %q hold none) is redacted too, as the
// redacted error prints its redacted text under every verb.
// Before, shows looked at %v, %+v, %#v, %s and %q only, and errors.As
// found the part as it was.
func TestJoinPartShowingSecretUnderAnyVerb(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	for _, verb := range []string{"%d", "%x", "%X", "%+q", "%#q"} {
		part := &fmtErr{msg: "refused", more: "token " + pw, verb: verb}
		err := r.Error(errors.Join(errors.New("echo "+pw), part))
		for _, e := range reachable(err) {
			assert.NotContains(t, fmt.Sprintf(verb, e), pw, "%T under %s", e, verb)
		}
	}
}
