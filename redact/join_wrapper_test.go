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

// A join whose wrapper's text holds a whole secret ("token …: " and the
// join) keeps its parts, as one under a clean wrapper does: the
// wrapper's text is redacted in the redacted error's, and no part holds
// any of it. Before, the redacted error was flat: errors.As found no
// part. A wrapper that holds a whole secret and the start of another
// that a part's text ends still leaves the parts out.
func TestRedactedJoinUnderAWrapperWithASecret(t *testing.T) {
	const other = "k3y-0f-th3-w3bh00k"
	r := redact.NewRedactor(redact.NewSecret(pw), redact.NewSecret(other))
	field := &broadcast.FieldError{Field: "Title", Problem: "missing"}
	orig := fmt.Errorf("post with token %s: %w", pw, errors.Join(field, errors.New("echo "+pw)))
	err := r.Error(orig)
	assert.Equal(t, r.String(orig.Error()), err.Error())
	fe, ok := errors.AsType[*broadcast.FieldError](err)
	if assert.True(t, ok, "errors.As reaches a part") {
		assert.Same(t, field, fe)
	}
	assertNothingHolds(t, err, pw)

	// Wrapped in a part, and with a TargetsError in place of the join.
	te := &broadcast.TargetsError{Pending: []broadcast.TargetFailure{{Target: "a", Err: field}}}
	err = r.Error(errors.Join(errors.New("x"), fmt.Errorf("token %s: %w", pw, te)))
	got, ok := errors.AsType[*broadcast.TargetsError](err)
	if assert.True(t, ok, "errors.As reaches the TargetsError") {
		assert.Same(t, field, got.Pending[0].Err)
	}
	assertNothingHolds(t, err, pw)

	half := len(other) / 2
	for name, orig := range map[string]error{
		"a join": fmt.Errorf("token %s, key %s%w", pw, other[:half],
			errors.Join(errors.New(other[half:]+" refused"), field)),
		"a TargetsError": fmt.Errorf("%w%s, token %s", &broadcast.TargetsError{Pending: []broadcast.TargetFailure{
			{Target: "a", Err: errors.New("key " + other[:half])}}}, other[half:], pw),
	} {
		err := r.Error(orig)
		require.NotSame(t, orig, err, name)
		assertNothingHolds(t, err, pw)
		assertNothingHolds(t, err, other[:half])
		assertNothingHolds(t, err, other[half:])
	}
}

// A secret whose start a wrapper's text ends in, where another secret the
// wrapper holds whole overlaps it, is one the wrapper splits with the
// part that ends it: redacting the wrapper's text alone removes its start
// with the other secret, and the part's text, put after it, holds no
// secret; the part is not reached all the same.
func TestRedactedJoinUnderAWrapperOverlapping(t *testing.T) {
	const first, second = "abcdef-XYZ123", "XYZ123-uvw789"
	r := redact.NewRedactor(redact.NewSecret(first), redact.NewSecret(second))
	orig := fmt.Errorf("token %s%w", first, errors.Join(errors.New("-uvw789 refused"), errors.New("x")))
	err := r.Error(orig)
	require.NotSame(t, orig, err)
	assertNothingHolds(t, err, "uvw789")
}
