package discord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// Discord trims a webhook post's username before it checks its length
// (1 to 80 characters), so New counts Config.Username without its leading
// and trailing spaces too: an 80-character name with spaces around
// it is one Discord takes. Before, New refused it as longer than 80
// characters. A name of 81 characters with spaces around it is still
// refused.
func TestUsernameLengthAfterTrim(t *testing.T) {
	name := "  " + strings.Repeat("ü", maxUsername) + "  "
	ch, err := New(Config{WebhookURL: redact.NewURL(hookURL), Username: name})
	require.NoError(t, err)
	assert.NotNil(t, ch)

	_, err = New(Config{WebhookURL: redact.NewURL(hookURL), Username: " " + strings.Repeat("ü", maxUsername+1) + " "})
	assert.EqualError(t, err, "discord: Config.Username: longer than 80 characters")
}
