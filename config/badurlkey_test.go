package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel URL that net/url refuses is a fault of the key that holds it
// (channels[0].url in a mapping), saying the URL's scheme and, for a URL
// taken whole from the environment, its reference, so that the URL can
// be found; never its host, user name or password: a password holding a
// "/" ends the host inside it. Before, the fault read "channels[0]: bad
// channel URL: invalid port ":x" after host", naming neither.
func TestBadChannelURLNamesItsKey(t *testing.T) {
	const pw = "Zq8x/Kw5vT0pS3cr3t"
	tests := []struct{ name, yaml, want string }{
		{"a mapping's url", lines("channels:", "  - url: 'ircs://bot@irc.example.com:x/ops'", "    name: chat"),
			`test.yaml:2: channels[0].url: bad channel URL: invalid port ":x" after host (the ircs:// URL)`},
		{"the entry itself", lines("channels:", "  - 'ircs://bot@irc.example.com:x/ops'"),
			`test.yaml:2: channels[0]: bad channel URL: invalid port ":x" after host (the ircs:// URL)`},
		{"from the environment", lines("channels:", "  - url: ${IRC_URL}", "    name: chat"),
			`test.yaml:2: channels[0].url: bad channel URL: invalid port after host (percent-encode / ? # @ : and % in a user name or password) (the smtp:// URL of ${IRC_URL})`},
		{"a password cut by a slash", lines("channels:", "  - 'smtp://alice:"+pw+"@smtp.example.com:587/?from=s@example.com&to=a@example.com'"),
			`test.yaml:2: channels[0]: bad channel URL: invalid port after host (percent-encode / ? # @ : and % in a user name or password) (the smtp:// URL)`},
		{"no scheme quoted that is no scheme", lines("channels:", "  - url: 'a b://x:%zz'", "    name: chat"),
			`test.yaml:2: channels[0].url: bad channel URL: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"IRC_URL": "smtp://alice:" + pw + "@smtp.example.com:587/"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "Zq8x")
			assert.NotContains(t, err.Error(), "alice")
			assert.NotContains(t, err.Error(), "example.com")
			assert.NotContains(t, err.Error(), "a b")
		})
	}
}
