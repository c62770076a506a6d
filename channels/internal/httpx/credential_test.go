package httpx

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A refused credential names its field in one wording, and keeps the
// refusal's retry marks and what it wraps.
func TestCredentialRefused(t *testing.T) {
	cause := errors.New("invalid_auth")
	tests := []struct {
		name      string
		err       error
		permanent bool
		wait      time.Duration
	}{
		{"permanent", broadcast.Permanent(fmt.Errorf("auth.test: %w", cause)), true, 0},
		{"transient", fmt.Errorf("auth.test: %w", cause), false, 0},
		{"rate limited", RateLimited(fmt.Errorf("auth.test: %w", cause), time.Minute, true), false, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CredentialRefused(tt.err, "Config.Token")
			assert.EqualError(t, err, "auth.test: invalid_auth (refused the credential: check Config.Token)")
			assert.ErrorIs(t, err, cause)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
			var ce *CredentialError
			if assert.ErrorAs(t, err, &ce) {
				assert.Equal(t, "Config.Token", ce.Field)
			}
			// Marked twice (by two layers of a channel), the field is named once.
			assert.EqualError(t, CredentialRefused(fmt.Errorf("slack: %w", err), "Config.Token"),
				"slack: auth.test: invalid_auth (refused the credential: check Config.Token)")
		})
	}
	assert.NoError(t, CredentialRefused(nil, "Config.Token"))
}
