package console_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/console"
)

func TestURLRoundTrip(t *testing.T) {
	tests := []struct {
		raw  string
		want console.Config
	}{
		{"console://", console.Config{Writer: os.Stdout}},
		{"console://stdout?template=short", console.Config{Writer: os.Stdout, Template: "short"}},
		{"console://stderr?template=markdown", console.Config{Writer: os.Stderr, Template: "markdown"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			cfg, err := console.ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
			back, err := console.ParseURL(cfg.URL().Reveal())
			require.NoError(t, err)
			assert.Equal(t, cfg, back, "Config → URL → Config")
		})
	}
	for _, raw := range []string{"console://stdout", "console://stderr?template=short"} {
		cfg, err := console.ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
	}
	assert.Equal(t, "console://?template=short", console.Config{Template: "short"}.URL().Reveal(),
		"a writer other than standard output and error has no short form")
}

func TestParseURLErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"stdout://":                          `console: URL: scheme "stdout": want console://`,
		"console://printer":                  "console: URL: host: not stdout or stderr: write console://stdout or console://stderr",
		"console://user:73194628?501@stderr": "console: URL: host: want stdout or stderr, without a port",
		"console://stderr:":                  "console: URL: host: want stdout or stderr, without a port",
		"console://[::1]:80":                 "console: URL: host: want stdout or stderr, without a port",
		// An IPv6 literal has no port: it is a host a console has no use
		// for, loopback or not, as "console://localhost" is.
		"console://[::1]":                      "console: URL: host: not stdout or stderr: write console://stdout or console://stderr",
		"console://[::1]?x=y":                  "console: URL: host: not stdout or stderr: write console://stdout or console://stderr",
		"console://[fe80::1%25e]":              "console: URL: host: not stdout or stderr: write console://stdout or console://stderr",
		"console://localhost":                  "console: URL: host: not stdout or stderr: write console://stdout or console://stderr",
		"console://stdout/x":                   "console: URL: path: not allowed: write console://stdout or console://stderr (a template is the query parameter template)",
		"console://?tempalte=short":            `console: URL: query: unknown parameter "tempalte" (want template)`,
		"console://?template=short&template=x": `console: URL: query: "template" given 2 times`,
		"console://?template=%":                "console: URL: query: parameter 1: bad %-escape",
	} {
		_, err := console.ParseURL(raw)
		assert.EqualError(t, err, want, raw)
	}
}

// TestParseURLQuotesNoSecret: a host or path the short form refuses is
// not quoted. A "/" in a password, not %-escaped, ends the authority and
// puts the password in the path; a secret pasted where the URL goes
// becomes its host.
func TestParseURLQuotesNoSecret(t *testing.T) {
	for raw, want := range map[string]string{
		"console://stdout/Hunter2xyz@stderr":  "console: URL: path: not allowed",
		"console://stderr/Hunter2xyz":         "console: URL: path: not allowed",
		"console://xoxb-Hunter2xyz":           "console: URL: host: not stdout or stderr",
		"console://ops%3AHunter2xyz@stderr":   "console: URL: user information: not allowed",
		"console://Hunter2xyz?template=short": "console: URL: host: not stdout or stderr",
	} {
		_, err := console.ParseURL(raw)
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), want, raw)
		assert.NotContains(t, err.Error(), "Hunter2", raw)
	}
}

// TestParseURLRefusesWhatItWouldIgnore: a URL part the short form has no
// use for is refused, not dropped. "console:stderr" (no slashes) would
// otherwise write to standard output, and user information would be
// dropped without a word; the error never quotes it.
func TestParseURLRefusesWhatItWouldIgnore(t *testing.T) {
	for raw, want := range map[string]string{
		"console:stderr":                  `console: URL: host: missing; write console://stdout or console://stderr (two slashes)`,
		"console:stdout?template=short":   `console: URL: host: missing; write console://stdout or console://stderr (two slashes)`,
		"console://ops:hunter2@stderr":    `console: URL: user information: not allowed`,
		"console://stderr#template=short": `console: URL: fragment: not allowed (the template is the query parameter template)`,
	} {
		cfg, err := console.ParseURL(raw)
		assert.EqualError(t, err, want, raw)
		assert.Equal(t, console.Config{}, cfg, raw)
	}
}
