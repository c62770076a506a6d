package email

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactedErrorDoesNotUnwrapToTheSecret(t *testing.T) {
	inner := fmt.Errorf("535 auth failed for HUNTER2pw: %w", context.DeadlineExceeded)
	err := redactError(inner, "HUNTER2pw")
	assert.NotContains(t, err.Error(), "HUNTER2pw")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "HUNTER2pw")
	}
}
