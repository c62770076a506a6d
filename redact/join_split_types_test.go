package redact_test

import (
	"encoding/base64"
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

// In a join whose parts split a secret (a channel's error ending in the
// first line of base64 that MIME wraps, the next part holding the rest),
// each part is given hidden: its text REDACTED, its marks and what
// errors.Is matches kept. A *broadcast.DeliveryError or
// *broadcast.PreviewError part was not found by errors.As any more, so a
// caller that redacted Send's or Preview's error lost which channel failed
// and after how many attempts, and the channel's own error. Each is now
// given as a copy naming the channel, whose error is hidden so; no error
// in the tree prints a piece of the secret (the original, which holds
// one, is not reached).
func TestRedactedJoinSplittingASecretKeepsChannelErrors(t *testing.T) {
	long := strings.Repeat("k3y-", 20) // 108 characters of base64
	r := redact.NewRedactor(redact.NewSecret(long))
	b64 := base64.StdEncoding.EncodeToString([]byte(long))
	cause := broadcast.Uncertain(broadcast.Permanent(errors.New("echo:\n" + b64[:76])))
	rest := broadcast.RetryAfter(fmt.Errorf("%s: %w", b64[76:], broadcast.ErrPostGone), 3*time.Second)
	for name, tt := range channelErrorCases(cause, redact.Redacted) {
		t.Run(name, func(t *testing.T) {
			err := redactSplitJoin(t, r, []string{b64[4:40], b64[80:100]}, tt.part, rest)
			inner := tt.check(t, err)
			assert.True(t, broadcast.IsPermanent(inner))
			assert.True(t, broadcast.IsUncertain(inner))
			assert.NotErrorIs(t, inner, broadcast.ErrPostGone)
			assertNoPartHolds(t, inner, b64[4:40])

			// The other part, hidden, keeps its sentinel and its wait.
			parts := joinParts(t, err)
			require.Len(t, parts, 2)
			assert.Equal(t, redact.Redacted, parts[1].Error())
			assert.ErrorIs(t, parts[1], broadcast.ErrPostGone)
			d, waits := broadcast.RetryDelay(parts[1])
			assert.True(t, waits)
			assert.Equal(t, 3*time.Second, d)
			assert.False(t, broadcast.IsPermanent(parts[1]))
		})
	}
}

// redactSplitJoin returns r's error for the join of parts, whose texts
// hold a secret of r only joined, having checked that: the join's text
// holds it and no part's alone, and neither the redacted error's text nor
// any error in its tree holds it or any of pieces.
func redactSplitJoin(t *testing.T, r *redact.Redactor, pieces []string, parts ...error) error {
	t.Helper()
	orig := errors.Join(parts...)
	require.True(t, r.Holds(orig.Error()), "the join's text holds the secret")
	for _, p := range parts {
		require.False(t, r.Holds(p.Error()), "no part's text holds it alone: %q", p.Error())
	}
	err := r.Error(orig)
	assert.False(t, r.Holds(err.Error()))
	for _, piece := range pieces {
		assert.NotContains(t, err.Error(), piece)
		assertNoPartHolds(t, err, piece)
	}
	return err
}

// channelErrorCase is a channel's error as a join's part, and the check
// of the copy naming the channel that a redacted join gives for it.
type channelErrorCase struct {
	part  error
	check func(t *testing.T, err error) error // the copy's Err
}

// channelErrorCases returns a *broadcast.DeliveryError and a (wrapped)
// *broadcast.PreviewError of channel x whose error is cause, each with the
// check that errors.As finds the copy in a redacted error, naming channel
// x (and 2 attempts), its text ending in ": " and text.
func channelErrorCases(cause error, text string) map[string]channelErrorCase {
	return map[string]channelErrorCase{
		"DeliveryError": {
			part: &broadcast.DeliveryError{Channel: "x", Attempts: 2, Err: cause},
			check: func(t *testing.T, err error) error {
				de, ok := errors.AsType[*broadcast.DeliveryError](err)
				require.True(t, ok, "errors.As finds the DeliveryError")
				assert.Equal(t, "x", de.Channel)
				assert.Equal(t, 2, de.Attempts)
				assert.Equal(t, "broadcast: channel x failed after 2 attempts: "+text, de.Error())
				return de.Err
			},
		},
		"PreviewError": {
			part: fmt.Errorf("wrapped: %w", &broadcast.PreviewError{Channel: "x", Err: cause}),
			check: func(t *testing.T, err error) error {
				pe, ok := errors.AsType[*broadcast.PreviewError](err)
				require.True(t, ok, "errors.As finds the PreviewError")
				assert.Equal(t, "x", pe.Channel)
				assert.Equal(t, "broadcast: preview x: "+text, pe.Error())
				return pe.Err
			},
		},
	}
}

// joinParts returns the parts of the first join err's chain of Unwrap()
// error reaches.
func joinParts(t *testing.T, err error) []error {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			return j.Unwrap()
		}
	}
	t.Fatalf("no join in %T", err)
	return nil
}
