package irc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// The checks of the TLS settings need no server, nor do SASLExternal's
// of them: each is named beside a Server refused, which New left them out
// for.
func TestTLSChecksBesideServerRefused(t *testing.T) {
	cfg := validConfig()
	cfg.Server, cfg.TLS, cfg.SASLExternal = "irc.example.com", irc.TLSOff, true
	_, err := irc.New(cfg)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2, err.Error())
	assert.Contains(t, lines[0], "irc: Config.Server: not host:port")
	assert.Contains(t, lines[1], "irc: Config.SASLExternal: needs TLSOn")
}
