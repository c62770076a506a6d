package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/templates"
)

// The trial rendering of the templates needs the channel's name and its
// templates alone: a template that fails every update is named beside a
// Token refused, where New named the Token alone.
func TestTemplatesTriedBesideTokenRefused(t *testing.T) {
	bad, err := templates.Default().With(Template, "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	_, err = New(Config{Channels: []string{"#ops"}, Templates: bad})
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2, err.Error())
	assert.Contains(t, lines[0], "slack: Config.Token: missing")
	assert.Contains(t, lines[1], "slack: Config.Templates: ")
}
