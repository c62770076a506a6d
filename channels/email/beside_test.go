package email_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/templates"
)

// The trial rendering of the templates needs no address: a template that
// fails every update is named beside a From refused, which New left it
// out for.
func TestTemplatesTriedBesideAddressRefused(t *testing.T) {
	bad, err := templates.Default().With("subject", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	cfg := valid()
	cfg.From, cfg.Templates = "not an address", bad
	_, err = email.New(cfg)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2, err.Error())
	assert.Contains(t, lines[0], "email: Config.From: ")
	assert.Contains(t, lines[1], "email: Config.Templates: ")
}
