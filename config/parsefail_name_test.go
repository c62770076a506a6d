package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel URL whose kind's ParseURL refuses it still yields an error
// that names the channel, short form's name: included; but never a name
// that holds one of the URL's secrets (its password, a token in its path
// or query), nor the URL: the name is left out, the kind's name said
// instead.
func TestParseURLErrorHidesNameHoldingURLSecret(t *testing.T) {
	const pw = "Zq8xKw5vT0pS3cr3t"
	tests := []struct{ name, yaml string }{
		{"password as the name", lines("channels:", "  - url: smtp://user:"+pw+"@smtp.example.com:587/?from=s@example.com&to=a@example.com&tls=nope",
			"    name: "+pw)},
		{"password in a longer name", lines("channels:", "  - url: smtp://user:"+pw+"@smtp.example.com:587/?from=s@example.com&to=a@example.com&tls=nope",
			"    name: mail-"+pw)},
		{"query token as the name", lines("channels:", "  - url: mastodon://mastodon.social?access_token="+pw+"&visibility=nope",
			"    name: "+pw)},
		{"from the environment", lines("channels:", "  - url: smtp://user:${PW}@smtp.example.com:587/?from=s@example.com&to=a@example.com&tls=nope",
			"    name: ops-${PW}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"PW": pw})
			require.Error(t, err)
			msg := err.Error()
			assert.NotContains(t, msg, pw)
			assert.NotContains(t, msg, "Zq8xKw5v")
			assert.NotContains(t, msg, "smtp.example.com:587/")
		})
	}
	// A name that holds no secret is quoted, as it helps find the entry.
	_, _, err := parse(t, lines("channels:", "  - url: smtp://user:"+pw+"@smtp.example.com:587/?from=s@example.com&to=a@example.com&tls=nope",
		"    name: ops-mail"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"ops-mail"`)
	assert.False(t, strings.Contains(err.Error(), pw))
}
