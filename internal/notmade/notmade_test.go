package notmade_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/internal/notmade"
)

// The error names the type and its constructor, and matches ErrNotMade.
func TestError(t *testing.T) {
	err := notmade.Error("webhook.Channel", "webhook.New")
	assert.EqualError(t, err, "webhook: webhook.Channel not made by webhook.New "+
		"(a nil *webhook.Channel, or a zero one: was the error of webhook.New dropped?)")
	assert.ErrorIs(t, err, notmade.ErrNotMade)
}
