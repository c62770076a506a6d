package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A secret of under 6 bytes aliased into a path key, in a file loaded by
// a name without a directory (config.Load("outagecast.yaml"), as the
// README does), is hidden in the path error that writes it after its
// operation: the path is then the secret alone, no separator before it.
// Before, the error read "ca_file: stat Qz7k: no such file or directory".
func TestShortSecretAliasedIntoRelativePathHidden(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := config.Loader{}.Parse(strings.NewReader(lines("channels:",
		"  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password: &p Qz7k}",
		"  - kind: irc", "    server: irc.example.com:6697", "    nick: bot", "    channels: ['#ops']", "    ca_file: *p")), "test.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test.yaml:7: channels[1] (irc "irc"): ca_file: stat REDACTED: no such file or directory`)
	assert.NotContains(t, err.Error(), "Qz7k")
}
