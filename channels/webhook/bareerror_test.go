package webhook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A secret refused that was written without its whsec_ prefix says so:
// "whsec_ secret is not valid base64" alone, of a value that has no
// whsec_, reads as if the prefix were what is missing, and adding it
// would not help. One written with the prefix does not say it.
func TestRefusedBareSecretSaysItHasNoPrefix(t *testing.T) {
	tests := []struct {
		value string
		bare  bool
	}{
		{"hunter2-not*base64", true},
		{strings.Repeat("B", 28), true},
		{"whsec_not*base64", false},
		{"whsec_" + strings.Repeat("A", 28), false},
	}
	for _, tt := range tests {
		_, err := ParseSecret(redact.NewSecret(tt.value))
		require.Error(t, err, tt.value)
		if tt.bare {
			assert.ErrorContains(t, err, "(given without its whsec_ prefix)", tt.value)
		} else {
			assert.NotContains(t, err.Error(), "without its whsec_ prefix", tt.value)
		}
		assert.NotContains(t, err.Error(), strings.TrimPrefix(tt.value, "whsec_"))
	}
}
