package redact_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// chainJoin returns the first error with Unwrap() []error that err's
// chain of Unwrap() error reaches, and how many wrappers are above it; nil
// when there is none.
func chainJoin(err error) (join interface{ Unwrap() []error }, depth int) {
	for e := err; e != nil; e, depth = errors.Unwrap(e), depth+1 {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			return j, depth
		}
	}
	return nil, 0
}

// A join under a wrapper was given redacted as one error: the redacted
// error itself had the join's Unwrap() []error, so a caller walking the
// tree as the original is built (errors.Unwrap to the join, then its
// parts) found no join, and the wrapper's text stood for the join's. The
// redacted error now keeps the original's shape: it unwraps (Unwrap()
// error) to a copy of the join, whose text is the join's redacted, which
// matches with errors.Is what the join matched and gives the parts as
// before; errors.Is and errors.As find what they found in the original.
func TestRedactedWrappedJoinKeepsItsShape(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	field := &broadcast.FieldError{Field: "Title", Problem: "missing"}
	for name, orig := range map[string]error{
		"a clean wrapper": fmt.Errorf("post: %w",
			errors.Join(field, fmt.Errorf("echo %s: %w", pw, errSentinel))),
		"a wrapper holding the secret": fmt.Errorf("post with token %s: %w", pw,
			errors.Join(field, fmt.Errorf("echo %s: %w", pw, errSentinel))),
		"a join of its own, two wrappers deep": fmt.Errorf("send: %w", fmt.Errorf("post %s: %w", pw,
			multiErr{field, fmt.Errorf("echo %s: %w", pw, errSentinel), context.DeadlineExceeded})),
		"a wrapper and a mark": fmt.Errorf("post %s: %w", pw,
			broadcast.Permanent(errors.Join(field, fmt.Errorf("echo %s: %w", pw, errSentinel)))),
	} {
		t.Run(name, func(t *testing.T) {
			err := r.Error(orig)
			require.NotSame(t, orig, err)
			assert.Equal(t, r.String(orig.Error()), err.Error())
			assertHidden(t, err, pw)

			want, _ := chainJoin(orig)
			_, top := err.(interface{ Unwrap() []error })
			assert.False(t, top, "the redacted error is not the join: the original's is a wrapper")
			got, _ := chainJoin(err)
			require.NotNil(t, got, "errors.Unwrap reaches a join, as in the original")
			assert.Equal(t, r.String(want.(error).Error()), got.(error).Error(), "the join's text, redacted")
			assert.Len(t, got.Unwrap(), len(want.Unwrap()))

			for _, target := range []error{errSentinel, context.DeadlineExceeded, context.Canceled} {
				assert.Equal(t, errors.Is(orig, target), errors.Is(err, target), "errors.Is %v", target)
				assert.Equal(t, errors.Is(want.(error), target), errors.Is(got.(error), target), "the join's errors.Is %v", target)
			}
			fe, ok := errors.AsType[*broadcast.FieldError](got.(error))
			if assert.True(t, ok, "errors.As finds the part in the join") {
				assert.Same(t, field, fe)
			}
			assert.Equal(t, broadcast.IsPermanent(orig), broadcast.IsPermanent(err))
		})
	}
}
