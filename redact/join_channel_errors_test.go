package redact_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A redacted Send's or Preview's error lost the *broadcast.DeliveryError
// or *broadcast.PreviewError of a channel whose error echoed a secret
// whole (the common case): the part was given redacted, unwrapping to
// nothing, while one whose secret the join's parts split was given as a
// copy naming the channel. Such a part now unwraps to a copy naming the
// channel whose error is redacted as a part's is; the channel's own error
// keeps its marks and what errors.Is matches, and no error in the tree
// prints the secret.
func TestRedactedJoinKeepsChannelErrorsHoldingASecret(t *testing.T) {
	tok := "Zq8vK2mW9xR4-tok-a1b2c3d4e5f6g7h8i9j0k"
	r := redact.NewRedactor(redact.NewSecret(tok))
	cause := broadcast.RetryAfter(fmt.Errorf("echo %s: %w", tok, broadcast.ErrPostGone), 2*time.Second)
	for name, tt := range channelErrorCases(cause, "echo "+redact.Redacted+": "+broadcast.ErrPostGone.Error()) {
		t.Run(name, func(t *testing.T) {
			other := &broadcast.DeliveryError{Channel: "y", Attempts: 1, Err: errors.New("fine")}
			err := r.Error(errors.Join(tt.part, other))
			require.False(t, r.Holds(err.Error()))
			assertNoPartHolds(t, err, tok)
			parts := joinParts(t, err)
			require.Len(t, parts, 2)
			assert.Same(t, other, parts[1], "a part holding no secret is given as it is")
			inner := tt.check(t, parts[0])
			assert.ErrorIs(t, inner, broadcast.ErrPostGone)
			d, waits := broadcast.RetryDelay(inner)
			assert.True(t, waits)
			assert.Equal(t, 2*time.Second, d)
			assert.False(t, broadcast.IsPermanent(parts[0]))
			assert.ErrorIs(t, parts[0], broadcast.ErrPostGone)
		})
	}
}
