package redact_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A server error that asked to wait, marked Uncertain (the post may
// exist), stays so once a secret in its text is hidden: without the mark
// the Broadcaster takes it for an answer that nothing was posted, and a
// later run does not look for the post before posting again.
func TestErrorKeepsUncertainMark(t *testing.T) {
	const secret = "fake-Secret-7Qx2"
	r := redact.NewRedactor(redact.NewSecret(secret))
	orig := broadcast.RetryAfter(broadcast.Uncertain(errors.New("503 Service Unavailable: echo "+secret)), 2*time.Second)
	for name, err := range map[string]error{
		"Redactor.Error": r.Error(orig),
		"ReplaceError":   redact.ReplaceError(orig, r.String),
	} {
		assert.NotContains(t, err.Error(), secret, name)
		assert.True(t, broadcast.IsUncertain(err), "%s: the Uncertain mark is kept", name)
		d, ok := broadcast.RetryDelay(err)
		assert.True(t, ok, name)
		assert.Equal(t, 2*time.Second, d, name)
	}
	// A rate limit's wait is a definite answer, and stays one.
	limited := r.Error(broadcast.RetryAfter(errors.New("429: echo "+secret), time.Second))
	assert.False(t, broadcast.IsUncertain(limited))
}
