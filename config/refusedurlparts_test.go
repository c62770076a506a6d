package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A channel named as a part of another channel's URL that the URL keeps
// secret (its password, a token in its query), when that URL is refused
// (by url.Parse, or by its kind's ParseURL), is refused as a name holding
// a secret, naming the field, and no fault quotes it: neither the "used
// twice" fault of the names nor the stages'. Before, a refused URL gave no
// secrets to compare names with, and the faults read `name "Qz7!k":
// already used by channels[1]` and `channel "Qz7!k" is in stages[0][0]
// already`.
func TestRefusedURLSecretAsOtherNameNotQuoted(t *testing.T) {
	tests := []struct {
		name, url, pw string
	}{
		{"a password, the kind refusing", "ircs://bot:Qz7!k@irc.example.com/ops?nope=1", "Qz7!k"},
		{"a SASL password, the kind refusing", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=Qz7!k&nope=1", "Qz7!k"},
		{"a long password, the kind refusing", "smtp://user:Zq8xKw5vT0pS3cr3t@smtp.example.com:587/?from=s@example.com&to=a@example.com&tls=nope", "Zq8xKw5vT0pS3cr3t"},
		{"a password, url.Parse refusing a port", "ircs://bot:Qz7!k@irc.example.com:x/ops", "Qz7!k"},
		{"a password, url.Parse refusing an escape", "ircs://bot:Qz7!k@irc.example.com/ops%zz", "Qz7!k"},
		{"a password cut by a slash", "smtp://user:Zq8x/Kw5v@smtp.example.com:587/?from=s@example.com&to=a@example.com", "Zq8x/Kw5v"},
		{"a long password, url.Parse refusing", "smtp://user:Zq8xKw5vT0pS3cr3t@smtp.example.com:x/?from=s@example.com&to=a@example.com", "Zq8xKw5vT0pS3cr3t"},
		{"a query token, url.Parse refusing", "mastodon://mastodon.social:x?access_token=Qz7!k", "Qz7!k"},
		{"a token, no kind for the scheme", "nope://bot:Qz7!k@example.com/", "Qz7!k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "test.yaml")
			require.NoError(t, os.WriteFile(path, []byte(lines("channels:", "  - url: '"+tt.url+"'", "    name: mail",
				"  - kind: console", "    name: '"+tt.pw+"'", "  - kind: console", "    name: '"+tt.pw+"'",
				"stages: [['"+tt.pw+"'], ['"+tt.pw+"']]")), 0o600))
			_, err := config.Load(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:5: channels[1].name: holds a secret written in channels[0] (")
			assert.Contains(t, err.Error(), "test.yaml:7: channels[2].name: holds a secret written in channels[0] (")
			assert.NotContains(t, err.Error(), tt.pw)
		})
	}
}

// The same, the refused URL from the environment.
func TestRefusedEnvURLSecretAsOtherNameNotQuoted(t *testing.T) {
	const pw = "Qz7!k"
	t.Setenv("IRC_URL", "ircs://bot:"+pw+"@irc.example.com:x/ops")
	path := filepath.Join(t.TempDir(), "test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(lines("channels:", "  - url: ${IRC_URL}", "    name: chat",
		"  - kind: console", "    name: '"+pw+"'", "stages: [['"+pw+"'], ['"+pw+"']]")), 0o600))
	_, err := config.Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:5: channels[1].name: holds a secret that channels[0] takes from ${IRC_URL} (")
	assert.NotContains(t, err.Error(), pw)
}
