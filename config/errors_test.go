package config_test

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/config"
)

// lines joins YAML lines, so that line numbers are easy to read.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// Syntax errors point at the line where the file stops being YAML, not at
// the line where the enclosing block began.
func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // all in the error
	}{
		{"key indented one space too few", lines(
			"state: x.db",
			"attempt_timeout: 5s",
			"channels:",
			"  - type: webhook",
			"    name: ops",
			"    url: https://hooks.example.com/in",
			"    secret: x",
			"   concurrency: 3",
		), []string{"test.yaml:8: ", "concurrency", "indentation"}},
		{"top-level key indented", lines(
			"state: x.db",
			"retry:",
			"  max_attempts: 3",
			"  max_interval: 1s",
			" attempt_timeout: 5s",
			"channels: [{type: console}]",
		), []string{"test.yaml:5: ", "attempt_timeout", "indentation"}},
		{"tab", lines(
			"state: x.db",
			"channels:",
			"\t- type: console",
		), []string{"test.yaml:3: ", "tab"}},
		{"unclosed bracket", lines(
			"channels:",
			"  - type: email",
			"    host: smtp.example.com",
			"    port: 25",
			"    tls: plaintext",
			"    from: status@example.com",
			"    to: [a@example.com, b@example.com",
			"  - type: console",
		), []string{"test.yaml:7: ", "to", `"["`}},
		{"unclosed brace", lines(
			"state: x.db",
			"retry: {max_attempts: 3, max_interval: 1s",
			"channels: [{type: console}]",
		), []string{"test.yaml:2: ", "retry", `"{"`}},
		{"unclosed double quote", lines(
			"channels:",
			"  - type: console",
			`    name: "screen`,
			"    template: short",
		), []string{"test.yaml:3: ", "name", "quote"}},
		{"unclosed single quote", lines(
			"channels:",
			"  - type: console",
			"    template: short",
			"    name: 'screen",
		), []string{"test.yaml:4: ", "name", "quote"}},
		{"valid flow list over two lines before the error", lines(
			"channels:",
			"  - type: email",
			"    to: [a@example.com,",
			"         b@example.com]",
			"   host: smtp.example.com",
		), []string{"test.yaml:5: ", "host"}},
		{"reference in a flow mapping", lines(
			"channels:",
			"  - type: webhook",
			"    endpoints:",
			"      - {url: https://hooks.example.com/in, secret: ${SECRET}}",
		), []string{"test.yaml:4: ", `quote a value holding "${"`}},
		{"duplicate key", "channels: []\nchannels: []\n", []string{`test.yaml:2: channels: key given twice in one mapping (first at line 1)`}},
		{"not YAML", "channels: [\n", []string{"test.yaml:1: "}},
		// The YAML library gives no line for a problem on the first line.
		{"reference in a flow list on the first line", lines(
			"channels: [{type: console, name: ${NAME}}]",
		), []string{"test.yaml:1: channels: ", `quote a value holding "${"`}},
		{"tab on the first line", lines(
			"\tchannels: [{type: console}]",
		), []string{"test.yaml:1: ", "tab"}},
		{"mapping value on the first line", lines(
			"state: x.db: y",
			"channels: [{type: console}]",
		), []string{"test.yaml:1: state: "}},
		{"unknown anchor", lines(
			"channels:",
			"  - *console",
		), []string{"test.yaml:2: ", "unknown anchor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// A value of the wrong type names its key, at every depth.
func TestWrongTypeNamesTheKey(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"top level", lines("attempt_timeout: soon", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "soon"`},
		{"nested", lines("retry:", "  max_attempts: lots", "channels: [{type: console}]"),
			`test.yaml:2: retry.max_attempts: want a whole number, got "lots"`},
		{"channels not a list", lines("channels: console"), `test.yaml:1: channels: want a list, got "console"`},
		{"channel key", lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    concurrency: many"),
			`test.yaml:4: channels[0].concurrency: want a whole number, got "many"`},
		{"second channel", lines("channels:", "  - type: console", "  - type: irc", "    tls: maybe"),
			`test.yaml:4: channels[1].tls: want true or false, got "maybe"` + "\n"},
		{"in a list entry", lines("channels:", "  - type: webhook", "    endpoints:", "      - url: [https://a.example.com]"),
			`test.yaml:4: channels[0].endpoints[0].url: want a string, got a list`},
		{"list for a mapping", lines("channels:", "  - type: webhook", "    headers: [Authorization]"),
			`test.yaml:3: channels[0].headers: want a mapping, got a list`},
		{"mapping for a list", lines("channels:", "  - type: email", "    to: {a: b}"),
			`test.yaml:3: channels[0].to: want a list, got a mapping`},
		{"channel type", lines("channels:", "  - type: [console]"),
			`test.yaml:2: channels[0].type: want a string, got a list`},
		{"from the environment", lines("channels:", "  - type: email", "    port: ${SMTP_PORT}"),
			`test.yaml:3: channels[0].port: want a whole number, got "${SMTP_PORT}"`},
		{"unknown key", lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    secrt: x"),
			`test.yaml:4: channels[0]: unknown key "secrt"`},
		// The YAML library truncates 587.9 to 587: a fraction is refused.
		{"fraction for a whole number", lines("channels:", "  - type: email", "    port: 587.9"),
			`test.yaml:3: channels[0].port: want a whole number, got "587.9"`},
		{"fraction at the top level", lines("retry: {max_attempts: 1.5}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "1.5"`},
		{"fraction from the environment", lines("channels:", "  - type: webhook", "    concurrency: ${CONCURRENCY}"),
			`test.yaml:3: channels[0].concurrency: want a whole number, got "${CONCURRENCY}"`},
		// A secret or a URL is a struct read from text: a mapping for it is
		// a wrong type, not a mapping of no known keys.
		{"mapping for a secret", lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    secret: {value: x}"),
			`test.yaml:4: channels[0].secret: want a string, got a mapping`},
		{"mapping for a URL", lines("channels:", "  - type: slack", "    webhook_url: {host: x}"),
			`test.yaml:3: channels[0].webhook_url: want a string, got a mapping`},
		// YAML 1.2 reads on, yes and y as text: the schema refuses them,
		// and so does Load, saying why.
		{"on for a boolean", lines("channels:", "  - type: irc", "    notice: on"),
			`test.yaml:3: channels[0].notice: want true or false, got "on" (YAML 1.2 reads on as text)`},
		{"other text for a boolean", lines("channels:", "  - type: irc", "    notice: loud"),
			`test.yaml:3: channels[0].notice: want true or false, got "loud"` + "\n"},
		{"yes from the environment", lines("channels:", "  - type: irc", "    notice: ${NOTICE}"),
			`test.yaml:3: channels[0].notice: want true or false, got "${NOTICE}"`},
		// IRC's tls is a boolean that reads its own text: it speaks as
		// the other booleans do.
		{"yes for irc tls", lines("channels:", "  - type: irc", "    tls: yes"),
			`test.yaml:3: channels[0].tls: want true or false, got "yes" (YAML 1.2 reads yes as text)`},
		{"yes for irc tls from the environment", lines("channels:", "  - type: irc", "    tls: ${NOTICE}"),
			`test.yaml:3: channels[0].tls: want true or false, got "${NOTICE}"` + "\n"},
		// A quoted number or boolean is text, as editors read it.
		{"quoted number", lines("channels:", "  - type: email", `    port: "587"`),
			`test.yaml:3: channels[0].port: want a whole number, got "587" (quoted, so text: write it without quotes)`},
		{"quoted boolean", lines("channels:", "  - type: irc", `    notice: 'true'`),
			`test.yaml:3: channels[0].notice: want true or false, got "true" (quoted, so text: write it without quotes)`},
		{"quoted boolean for irc tls", lines("channels:", "  - type: irc", `    tls: "false"`),
			`test.yaml:3: channels[0].tls: want true or false, got "false" (quoted, so text: write it without quotes)`},
		{"quoted text", lines("channels:", "  - type: irc", `    notice: "loud"`),
			`test.yaml:3: channels[0].notice: want true or false, got "loud"` + "\n"},
		// A number too large or too small for its key names the range
		// (a port's where the key is a port); the YAML library would wrap
		// one too small.
		{"number too large", lines("channels:", "  - type: email", "    port: 99999999999999999999"),
			`test.yaml:3: channels[0].port: want a whole number, got "99999999999999999999" (out of range: a port is 1 to 65535)`},
		{"number too small", lines("retry: {max_attempts: -99999999999999999999}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "-99999999999999999999" (out of range: -9223372036854775808 to 9223372036854775807)`},
		{"number far too large", lines("retry: {max_attempts: 1e999999}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "1e999999" (out of range: -9223372036854775808 to 9223372036854775807)`},
		{"number too large from the environment", lines("channels:", "  - type: email", "    port: ${HUGE}"),
			`test.yaml:3: channels[0].port: want a whole number, got "${HUGE}" (out of range: a port is 1 to 65535)`},
		{"duration without a unit", lines("attempt_timeout: 30", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "30" (a duration needs a unit, as in 30s)`},
		{"duration too long", lines("attempt_timeout: 99999999999h", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "99999999999h" (out of range: at most 2562047h)`},
		// One too far below zero names the least a duration holds, not
		// the greatest: a negative duration decodes (email's idle_timeout
		// takes one; another key refuses it by name after).
		{"duration too negative", lines("attempt_timeout: -99999999999h", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "-99999999999h" (out of range: at least -2562047h)`},
		{"duration too negative for a key that takes a negative one", lines("channels: [{kind: email, host: h, from: s@example.com, to: [a@example.com], idle_timeout: -2562048h}]"),
			`test.yaml:1: channels[0].idle_timeout: want a duration such as 30s or 1m30s, got "-2562048h" (out of range: at least -2562047h)`},
		{"duration too long, with a plus", lines("attempt_timeout: +2562048h", "channels: [{type: console}]"),
			`got "+2562048h" (out of range: at most 2562047h)`},
		// A number after the last unit is one without a unit, not a
		// duration too long.
		{"duration ending without a unit", lines("attempt_timeout: 1m0", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "1m0" (the number after the last unit needs one, as in 1m30s)` + "\n"},
		{"duration ending without a unit, in hours", lines("attempt_timeout: 1h0", "channels: [{type: console}]"),
			`got "1h0" (the number after the last unit needs one, as in 1m30s)` + "\n"},
		{"duration ending without a unit, fraction", lines("attempt_timeout: 30s0.5", "channels: [{type: console}]"),
			`got "30s0.5" (the number after the last unit needs one, as in 1m30s)` + "\n"},
		// The YAML library reads a number with a point as a float64, where
		// 9223372036854775807.0 is 2^63, which it would wrap to the least
		// int64: the error quotes what the file says, out of range.
		{"whole number with a point just too large", lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in",
			"    allow_unsigned: true", "    concurrency: 9223372036854775807.0"),
			`test.yaml:5: channels[0].concurrency: want a whole number, got "9223372036854775807.0" (out of range: -9223372036854775808 to 9223372036854775807)`},
		{"whole number with an exponent just too large", lines("retry: {max_attempts: 9.223372036854775807e18}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "9.223372036854775807e18" (out of range: -9223372036854775808 to 9223372036854775807)`},
		{"whole number with a point in range", lines("retry: {max_attempts: -9223372036854775808.0}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: negative` + "\n"},
		// A whole number only YAML 1.1 reads as one, or reads otherwise
		// than YAML 1.2, which editors and the schema follow, is refused:
		// the YAML library reads 025 as octal 21 where YAML 1.2 reads 25,
		// and 1_000 and 0b11 as numbers where YAML 1.2 reads text.
		{"leading zero", lines("channels:", "  - type: email", "    port: 025"),
			`test.yaml:3: channels[0].port: want a whole number, got "025" (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: write 25, or 0o25 for octal)` + "\n"},
		{"negative with a leading zero", lines("retry: {max_attempts: -010}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "-010" (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: write -10)` + "\n"},
		{"underscores", lines("retry: {max_attempts: 1_000}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "1_000" (YAML 1.2 reads 1_000 as text: write 1000)` + "\n"},
		{"binary", lines("retry: {max_attempts: 0b11}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "0b11" (YAML 1.2 reads 0b11 as text: write 3)` + "\n"},
		{"underscores out of range", lines("retry: {max_attempts: 9_223_372_036_854_775_808}", "channels: [{type: console}]"),
			`got "9_223_372_036_854_775_808" (out of range: -9223372036854775808 to 9223372036854775807)` + "\n"},
		{"leading zero from the environment", lines("channels:", "  - type: email", "    port: ${ZERO_PORT}"),
			`test.yaml:3: channels[0].port: want a whole number, got "${ZERO_PORT}" (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: write the number without it, or with 0o for octal)` + "\n"},
		// Quoted, as [...] and {...} need, a reference is read as its
		// value unquoted, and so is explained alike.
		{"leading zero from the environment, quoted", lines("channels:", "  - {type: email, port: \"${ZERO_PORT}\"}"),
			`test.yaml:2: channels[0].port: want a whole number, got "${ZERO_PORT}" (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: write the number without it, or with 0o for octal)` + "\n"},
		{"underscores from the environment, quoted", lines("retry: {max_attempts: \"${THOUSAND}\"}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "${THOUSAND}" (YAML 1.2 reads it as text: write a decimal number)` + "\n"},
		// A leading 0 that gives the same value in both versions is taken
		// (see TestYAML12WholeNumbers); with an underscore YAML 1.2 reads
		// text all the same.
		{"leading zero and an underscore, same value", lines("retry: {max_attempts: 0_7}", "channels: [{type: console}]"),
			`test.yaml:1: retry.max_attempts: want a whole number, got "0_7" (YAML 1.2 reads 0_7 as text: write 7)` + "\n"},
		// A number that is not whole is read alike: 025 is no rate of 21.
		{"leading zero for a number", lines("channels:", "  - {kind: statuspageio, api_key: k, page_id: p, rate_limit: 025}"),
			`test.yaml:2: channels[0].rate_limit: want a number, got "025" (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: write 25, or 0o25 for octal)` + "\n"},
		{"underscores for a number", lines("channels:", "  - {kind: statuspageio, api_key: k, page_id: p, rate_limit: 1_000}"),
			`test.yaml:2: channels[0].rate_limit: want a number, got "1_000" (YAML 1.2 reads 1_000 as text: write 1000)` + "\n"},
		// A key written without a value is null, which the schema
		// refuses: most likely a value a tool writing the file lost.
		{"empty port", lines("channels:", "  - type: email", "    port:", "    host: smtp.example.com"),
			`test.yaml:3: channels[0].port: empty (write a value, or leave the key out)` + "\n"},
		{"null port", lines("channels:", "  - {type: email, port: ~}"),
			`test.yaml:2: channels[0].port: empty (write a value, or leave the key out)` + "\n"},
		{"empty top-level duration", lines("attempt_timeout:", "channels: [{type: console}]"),
			`test.yaml:1: attempt_timeout: empty (write a value, or leave the key out)` + "\n"},
		{"empty retry", lines("retry:", "channels: [{type: console}]"),
			`test.yaml:1: retry: empty (write a value, or leave the key out)` + "\n"},
		{"empty list of channels", lines("channels:"), `test.yaml:1: channels: none configured` + "\n"},
		{"empty list item", lines("channels:", "  - {type: email, host: h.example.com, from: s@example.com, to: [a@example.com, ~]}"),
			`test.yaml:2: channels[0].to[1]: empty (write a value, or leave the item out)` + "\n"},
		// IRC's tls is true, false, on or off as the schema lists them.
		{"irc tls in capitals", lines("channels:", "  - type: irc", "    tls: ON"),
			`test.yaml:3: channels[0].tls: want true or false, got "ON"`},
		{"irc tls empty", lines("channels:", "  - type: irc", `    tls: ""`),
			`test.yaml:3: channels[0].tls: want true or false, got ""`},
		{"irc tls quoted in a merge", lines("channels:", "  - type: irc", `    <<: {tls: "false"}`),
			`test.yaml:3: channels[0].tls: want true or false, got "false" (quoted, so text: write it without quotes)` + "\n"},
		{"irc tls quoted in a merged alias", lines("channels:", "  - type: irc", `    <<: [&t {tls: 'true'}]`),
			`test.yaml:3: channels[0].tls: want true or false, got "true" (quoted, so text: write it without quotes)` + "\n"},
		{"irc tls tagged as text", lines("channels:", "  - type: irc", `    tls: !!str true`),
			`test.yaml:3: channels[0].tls: want true or false, got "true" (tagged !!str, so text: write it without the tag)` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"SMTP_PORT": "twenty-five", "CONCURRENCY": "0.5", "NOTICE": "yes", "HUGE": "1e30", "ZERO_PORT": "025", "THOUSAND": "1_000"})
			require.Error(t, err)
			assert.Contains(t, err.Error()+"\n", tt.want) // a want ending in \n is the error's end
		})
	}
}

// Whole numbers as YAML 1.2 writes them load as it reads them.
func TestYAML12WholeNumbers(t *testing.T) {
	// A leading 0 before one digit 0 to 7 is the same number in YAML 1.1
	// (octal) and 1.2 (decimal); 08 and 09 are no octal, read as decimal.
	for text, want := range map[string]int{"0": 0, "25": 25, "+25": 25, "0o31": 25, "0x19": 25, "25.0": 25, "2.5e1": 25,
		"00": 0, "07": 7, "007": 7, "+07": 7, "09": 9} {
		cfg, _, err := parse(t, lines("retry: {max_attempts: "+text+"}", "channels: [{type: console}]"), nil)
		if assert.NoError(t, err, text) {
			assert.Equal(t, want, cfg.Retry.MaxAttempts, text)
		}
	}
}

// A value of the wrong type from the environment is hidden, even one that
// quoting would escape.
func TestWrongTypeHidesTheEnvironment(t *testing.T) {
	const password = `correct"horse\battery`
	_, _, err := parse(t, lines("channels:", "  - type: email", "    port: ${SMTP_PASSWORD}"),
		map[string]string{"SMTP_PASSWORD": password})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `channels[0].port: want a whole number, got "${SMTP_PASSWORD}"`)
	assert.NotContains(t, err.Error(), "horse")
}

// A channel package's error speaks in the file's keys, at the key's line.
func TestChannelErrorsUseKeys(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"missing url", lines("channels:", "  - type: console", "  - type: webhook", "    name: ops", "    secret: "+secret),
			`test.yaml:3: channels[1] (webhook "ops"): url: missing (secret is set)`},
		{"bad url, at its line", lines("channels:", "  - type: webhook", "    name: ops", "    url: ftp://h.example.com", "    secret: x"),
			`test.yaml:4: channels[0] (webhook "ops"): url: not an absolute http or https URL`},
		{"endpoint secret", lines("channels:", "  - type: webhook", "    endpoints:", "      - url: https://a.example.com", "        secret: "+secret,
			"      - url: https://b.example.com", "        secret: nope"),
			`test.yaml:7: channels[0] (webhook "webhook"): endpoints[1].secret: `},
		{"negative concurrency", lines("channels:", "  - type: webhook", "    url: https://a.example.com", "    allow_unsigned: true", "    concurrency: -1"),
			`test.yaml:5: channels[0] (webhook "webhook"): concurrency: negative`},
		{"reserved header", lines("channels:", "  - type: webhook", "    url: https://a.example.com", "    allow_unsigned: true", "    headers: {Host: x}"),
			`channels[0] (webhook "webhook"): headers["Host"]: reserved`},
		{"key named by another field", lines("channels:", "  - type: email", "    host: smtp.example.com", "    port: 25", "    tls: plaintext",
			"    ca_file: ca.pem", "    from: s@example.com", "    to: [a@example.com]"),
			`channels[0] (email "email"): ca_file: set, but TLS is plaintext`},
		{"x base URL", lines("channels:", "  - type: x", "    consumer_key: a", "    consumer_secret: b", "    access_token: c", "    access_secret: d",
			"    base_url: ftp://api.example.com"),
			`test.yaml:7: channels[0] (x "x"): base_url: `},
		{"irc channels", lines("channels:", "  - type: irc", "    server: irc.example.com:6697", "    nick: status"),
			`test.yaml:2: channels[0] (irc "irc"): channels: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCA(t, filepath.Join(dir, "ca.pem"))
			_, err := parseIn(dir, tt.yaml, config.Loader{LookupEnv: env(nil)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "Config.")
		})
	}
}

// writeCA writes a PEM certificate to path.
func writeCA(t *testing.T, path string) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(path, block, 0o600))
}

// Errors at run time, such as IRC's pacing advice, name the file's keys.
func TestExplain(t *testing.T) {
	cfg, _, err := parse(t, lines("channels:", "  - type: irc", "    name: chat", "    server: irc.example.com:6697",
		"    nick: status", "    channels: ['#ops']", "  - type: console"), nil)
	require.NoError(t, err)
	pacing := "irc: pacing: 5 lines to each of 3 channels need about 34s plus 6s to connect and register, but the attempt has 30s left; " +
		"raise broadcast.Options.AttemptTimeout, lower Config.MaxLines, post to fewer Config.Channels, " +
		"or raise Config.Burst or lower Config.Interval within the server's flood limit"
	assert.Equal(t, "irc: pacing: 5 lines to each of 3 channels need about 34s plus 6s to connect and register, but the attempt has 30s left; "+
		"raise attempt_timeout, lower max_lines, post to fewer channels, "+
		"or raise burst or lower interval within the server's flood limit", cfg.Explain("chat", pacing))
	assert.Equal(t, "retry.max_attempts is 3", cfg.Explain("console", "broadcast.RetryPolicy.MaxAttempts is 3"))
	assert.Equal(t, "no Config.Whatever here", cfg.Explain("console", "no Config.Whatever here"), "unknown names are left alone")
	assert.Equal(t, "plain text", cfg.Explain("nope", "plain text"))
}

// A value from the environment is hidden in every error that quotes it,
// escaped as %q writes it too.
func TestQuotedValueHidesTheEnvironment(t *testing.T) {
	const value = `ab"cd\ef-gh`
	for _, yaml := range []string{
		lines("channels:", "  - type: console", "    when: {impacts: [\"${V}\"]}"),
		lines("channels:", "  - type: console", "    when: {statuses: [\"${V}\"]}"),
		lines("channels:", "  - type: \"${V}\""),
	} {
		_, _, err := parse(t, yaml, map[string]string{"V": value})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "${V}")
		assert.NotContains(t, err.Error(), "cd", "the value, raw or escaped")
	}
}

// A route error merged in with "<<" names the line of the key merged in,
// not 0 (nor the entry's first line, where it is not written).
func TestMergedKeyErrorHasALine(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - type: console", "  - type: console", "    name: two", "    <<: {when: {statuses: [bogus]}}"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:5: channels[1].when.statuses[0]: unknown value")
}

// Aliases that multiply (each list of merges naming the one before ten
// times: a few hundred bytes standing for 10^9 mappings) are refused
// before any check walks them: the checks follow aliases as decoding
// does, so they would take hours.
func TestExcessiveAliasingRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString(lines("channels:", "  - kind: webhook", "    allow_unsigned: true", "    endpoints:",
		`      - &a0 {url: "https://hooks.example.com/in"}`))
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", ")
		fmt.Fprintf(&b, "      - &a%d {<<: [%s]}\n", i, refs)
	}
	_, _, err := parse(t, b.String(), nil)
	require.Error(t, err)
	assert.Regexp(t, `test\.yaml:1[0-4]: aliases expand the file to more than 1048576 values`, err.Error())
}

// An alias inside its own anchor is an error at its line, not a crash:
// the checks would follow it forever.
func TestAliasInsideItsAnchorRefused(t *testing.T) {
	for _, yaml := range []string{
		lines("channels:", "  - &a {type: console,", "      <<: *a}"),
		lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    allow_unsigned: true",
			"    endpoints: &e", "      - url: https://hooks.example.com/in", "      - *e"),
	} {
		_, _, err := parse(t, yaml, nil)
		require.Error(t, err)
		assert.Regexp(t, `test\.yaml:[37]: alias \*[ae] inside its own anchor`, err.Error())
	}
}

// A key given twice is an error at its second line, on one line, naming
// the key's path (channels[0].name), inside a channel's entry as at the
// top level.
func TestDuplicateKeyAtItsLine(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"top level", lines("retry:", "  max_attempts: 2", "  max_attempts: 3", "channels: [{type: console}]"),
			`test.yaml:3: retry.max_attempts: key given twice in one mapping (first at line 2)`},
		{"channel key", lines("channels:", "  - type: console", "    name: a", "    name: b"),
			`test.yaml:4: channels[0].name: key given twice in one mapping (first at line 3)`},
		{"in a channel's when", lines("channels:", "  - type: console", "    when:", "      statuses: [resolved]",
			"      statuses: [investigating]"),
			`test.yaml:5: channels[0].when.statuses: key given twice in one mapping (first at line 4)`},
		{"in a channel's headers", lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in",
			"    secret: "+secret, "    headers:", "      X-A: a", "      X-A: b"),
			`test.yaml:7: channels[0].headers.X-A: key given twice in one mapping (first at line 6)`},
		{"in the third channel", lines("channels:", "  - type: console", "  - type: console", "    name: b",
			"  - type: telegram", "    token: a", "    token: b", "    chat_ids: [1]"),
			`test.yaml:7: channels[2].token: key given twice in one mapping (first at line 6)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.NotContains(t, err.Error(), "unmarshal errors")
		})
	}
}

// A key given many times is refused at its second line without the YAML
// library's check of every pair of keys, which records an error for each
// pair: a few thousand copies of one line made Load run for minutes and
// take gigabytes, a 1 MiB file of them more memory than the machine has.
func TestDuplicateKeysManyTimes(t *testing.T) {
	const copies = 3000
	for _, tt := range []struct{ name, yaml string }{
		{"top level", "channels: [{type: console}]\nretry:\n" + strings.Repeat("  max_attempts: 1\n", copies)},
		{"in a channel", "channels:\n  - type: console\n" + strings.Repeat("    name: a\n", copies)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := parse(t, tt.yaml, nil)
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			assert.Regexp(t, `(?m)test\.yaml:4: (retry\.max_attempts|channels\[0\]\.name): key given twice in one mapping \(first at line 3\)$`, err.Error())
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated")
		})
	}
}

// A mapping of more keys than any configuration needs is refused, naming
// it: the YAML library compares every pair of a mapping's keys each time
// it decodes one, so that the largest file allowed, one mapping of
// headers, took a minute to load.
func TestMappingKeysLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    secret: "+secret, "    headers:"))
	for i := range config.MaxMappingKeys + 1 {
		fmt.Fprintf(&b, "      X-H%d: v\n", i)
	}
	_, _, err := parse(t, b.String(), nil)
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(err.Error(), fmt.Sprintf("/test.yaml:5: channels[0].headers: more than %d keys", config.MaxMappingKeys)), err.Error())

	b.Reset()
	b.WriteString(lines("channels:", "  - type: webhook", "    url: https://hooks.example.com/in", "    secret: "+secret, "    headers:"))
	for i := range config.MaxMappingKeys {
		fmt.Fprintf(&b, "      X-H%d: v\n", i)
	}
	_, _, err = parse(t, b.String(), nil)
	assert.NoError(t, err, "as many as allowed")
}

// A key of listed values says what to write when the file spells one
// otherwise or leaves it empty, at its line.
func TestEnumSpellingSaysWhatToWrite(t *testing.T) {
	mail := "channels:\n  - type: email\n    host: h\n    from: s@example.com\n    to: [a@example.com]\n"
	tests := []struct{ name, yaml, want string }{
		{"upper case", mail + "    tls: STARTTLS\n",
			`test.yaml:6: channels[0].tls: want one of starttls, implicit, plaintext, got "STARTTLS" (write it as listed: starttls)`},
		{"mixed case", mail + "    username: u\n    password: p\n    auth: Login\n",
			`test.yaml:8: channels[0].auth: want one of auto, plain, login, xoauth2, none, AUTO, PLAIN, LOGIN, XOAUTH2, NONE, got "Login" (write it as listed: login or LOGIN)`},
		{"empty", mail + "    tls: ''\n",
			`test.yaml:6: channels[0].tls: empty (write one of starttls, implicit, plaintext, or leave the key out for the default)`},
		{"in a merge", "channels:\n  - type: email\n    <<: {tls: Implicit}\n    host: h\n    from: s@example.com\n    to: [a@example.com]\n",
			`test.yaml:3: channels[0].tls: want one of starttls, implicit, plaintext, got "Implicit" (write it as listed: implicit)`},
		{"store kind empty", "store: {kind: '', path: x.db}\nchannels: [{type: console}]\n",
			`test.yaml:1: store.kind: empty (write bolt or memory, or leave kind out for bolt)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.True(t, strings.HasSuffix(err.Error(), "/"+tt.want), err.Error())
		})
	}
}

// email's auth takes "auto", the default, by name too, as its errors name
// it ("Config.Auth (auto)").
func TestEmailAuthAutoByName(t *testing.T) {
	mail := "channels:\n  - type: email\n    host: h\n    from: s@example.com\n    to: [a@example.com]\n"
	for _, auto := range []string{"auto", "AUTO"} {
		_, _, err := parse(t, mail+"    username: u\n    password: p\n    auth: "+auto+"\n", nil)
		assert.NoError(t, err, auto)
	}
}

// A value of a key of listed values that is none of them is quoted only
// when it is one misspelt: anything else may be a secret written in the
// wrong key (a password in email's auth). A value from the environment
// that is none of them in any case is refused before the channel's own
// check, which would quote it changed (email's in upper case), naming
// the reference.
func TestEnumValueNotQuotedUnlessMisspelt(t *testing.T) {
	const secret = "Hunter2xyz-pass"
	mail := "channels:\n  - type: email\n    host: h\n    from: s@example.com\n    to: [a@example.com]\n"
	const auth = "want one of auto, plain, login, xoauth2, none, AUTO, PLAIN, LOGIN, XOAUTH2, NONE, got "
	tests := []struct{ name, yaml, want string }{
		{"written", mail + "    auth: " + secret + "\n",
			"test.yaml:6: channels[0].auth: " + auth + "other text (not quoted: it may be a secret)"},
		{"misspelt", mail + "    auth: plian\n",
			`test.yaml:6: channels[0].auth: ` + auth + `"plian" (did you mean plain?)`},
		{"misspelt visibility", "channels:\n  - {kind: mastodon, server: https://m.example.com, token: abcdefgh, visibility: publc}\n",
			`test.yaml:2: channels[0].visibility: want one of public, unlisted, private, got "publc" (did you mean public?)`},
		{"from the environment", mail + "    auth: \"${P}\"\n",
			`test.yaml:6: channels[0].auth: ` + auth + `"${P}"`},
		{"from a URL in the environment", mail + "    auth: \"smtp://${P}@h\"\n",
			`test.yaml:6: channels[0].auth: ` + auth + "a URL (not quoted: it may hold credentials)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"P": secret})
			require.Error(t, err)
			assert.True(t, strings.HasSuffix(err.Error(), "/"+tt.want), err.Error())
			channeltest.AssertNoSecret(t, err.Error(), secret)
			assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(secret), "in another case")
		})
	}
	for _, v := range []string{"none", "None", "NONE", ""} {
		_, _, err := parse(t, mail+"    auth: \"${P:-}\"\n", map[string]string{"P": v})
		assert.NoError(t, err, "%q from the environment, in any case, or empty", v)
	}
}

// A file is one YAML document: channels after a "---" are not dropped
// without a word.
func TestSecondDocumentRefused(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - type: console", "---", "channels: [oops]"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:3: a second YAML document")
	_, _, err = parse(t, lines("---", "channels:", "  - type: console"), nil)
	assert.NoError(t, err, "a document start marker alone is fine")
}

// A "---" closing the file, with nothing or comments after it, is no
// second document.
func TestTrailingDocumentMarkerAccepted(t *testing.T) {
	for _, tail := range []string{"---", "---\n# the end", "---\n..."} {
		_, _, err := parse(t, lines("channels:", "  - type: console", tail), nil)
		assert.NoError(t, err, "%q", tail)
	}
}

// keyCase is a channel entry that a channel package's Validate refuses:
// the entry's lines below "kind:", and the key path the error must name.
type keyCase struct {
	name  string
	kind  string
	lines []string
	key   string   // the key path after the channel, "" for none
	also  []string // more the error must contain
}

// goOnly matches what only a Go caller knows a setting by: a Config path,
// or a CamelCase name (TLSPlaintext, SASLUser, OAuth1, ConsumerKey).
var goOnly = regexp.MustCompile(`\bConfig\b|\b\w*(?:[a-z][A-Z]|[A-Z]{2}[a-z])\w*\b`)

// quoted matches a quoted value, which is the user's and not a name.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// plainWords are CamelCase words of prose, not Go names.
var plainWords = map[string]bool{"OAuth": true, "BotFather": true}

// goFields returns the Go names of the exported fields of the structs in
// t, at every depth, that a file cannot spell: capitalized ones, all
// capitals (URL, TLS) left out as words of prose.
func goFields(t reflect.Type, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" || t.PkgPath() == "net/http" || t.PkgPath() == "crypto/tls" {
		return
	}
	for f := range t.Fields() {
		if !f.IsExported() || out[f.Name] {
			continue
		}
		if strings.ToUpper(f.Name) != f.Name {
			out[f.Name] = true
		}
		goFields(f.Type, out)
	}
}

// assertNoGoNames fails when msg, quoted values aside, holds a Go-only
// name: a Config path, a CamelCase word, or a field name of configs.
func assertNoGoNames(t *testing.T, msg string, configs ...any) {
	t.Helper()
	text := quoted.ReplaceAllString(msg, `""`)
	for _, w := range goOnly.FindAllString(text, -1) {
		if !plainWords[w] {
			t.Errorf("Go name %q in %s", w, msg)
		}
	}
	fields := map[string]bool{}
	for _, c := range configs {
		goFields(reflect.TypeOf(c), fields)
	}
	for _, w := range regexp.MustCompile(`\b[A-Z]\w*\b`).FindAllString(text, -1) {
		if fields[w] {
			t.Errorf("Go field name %q in %s", w, msg)
		}
	}
}

// configOf returns the Config values of the channel packages behind kind,
// whose field names the file's errors must not use.
func configOf(kind string) []any {
	return map[string][]any{
		"console": {console.Config{}}, "webhook": {webhook.Config{}}, "email": {email.Config{}},
		"x": {twitter.Config{}}, "irc": {irc.Config{}}, "statuspage": {statuspage.Config{}},
		"statuspageio": {statuspageio.Config{}}, "slack": {slack.Config{}}, "teams": {teams.Config{}},
		"discord": {discord.Config{}}, "googlechat": {googlechat.Config{}}, "mastodon": {mastodon.Config{}},
		"bluesky": {bluesky.Config{}}, "telegram": {telegram.Config{}}, "matrix": {matrix.Config{}},
	}[kind]
}

// keyCases holds, for every kind of channel, a bad value of each setting
// its Validate (or New) checks.
func keyCases() []keyCase {
	hook := []string{"url: https://hooks.example.com/in", "secret: " + secret}
	mail := []string{"host: smtp.example.com", "from: status@example.com", "to: [a@example.com]"}
	x := []string{"consumer_key: a", "consumer_secret: b", "access_token: c", "access_secret: d"}
	ircBase := []string{"server: irc.example.com:6697", "nick: status", "channels: ['#ops']"}
	page := []string{"dir: site", "base_url: https://status.example.com/", "title: Example Status"}
	spio := []string{"api_key: k-123", "page_id: abc123"}
	slackBase := []string{"token: xoxb-1234-abcd", "channels: ['#ops']"}
	teamsURL := "webhook_url: https://prod.example.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s"
	discordURL := "webhook_url: https://discord.com/api/webhooks/123/tok-en_1"
	chatURL := "webhook_url: https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t"
	masto := []string{"server: https://mastodon.example.com", "token: tok"}
	sky := []string{"identifier: status.example.com", "app_password: abcd-efgh-ijkl-mnop"}
	tg := []string{"token: '123456789:AAEsecretsecretsecretsecret'", "chats: ['@examplestatus']"}
	mx := []string{"homeserver: https://matrix.example.org", "access_token: tok", "rooms: ['!abc:example.org']"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	without := func(base []string, key string) []string {
		var out []string
		for _, l := range base {
			if !strings.HasPrefix(l, key+":") {
				out = append(out, l)
			}
		}
		return out
	}
	return []keyCase{
		{"name", "console", []string{"name: ' screen'"}, "name", nil},
		{"template", "console", []string{"template: nope"}, "template", []string{"templates"}},
		{"output", "console", []string{"output: printer"}, "output", nil},

		{"name", "webhook", with(hook, "name: ' ops'"), "name", nil},
		{"concurrency", "webhook", with(hook, "concurrency: -1"), "concurrency", nil},
		{"url and endpoints", "webhook", with(hook, "endpoints: [{url: 'https://b.example.com', secret: "+secret+"}]"), "url", []string{"endpoints"}},
		{"url missing, secret set", "webhook", []string{"secret: " + secret}, "url", []string{"secret is set"}},
		{"url missing", "webhook", []string{"allow_unsigned: true"}, "url", []string{"endpoints"}},
		{"secret with endpoints", "webhook", []string{"secret: " + secret, "endpoints: [{url: 'https://b.example.com', secret: " + secret + "}]"},
			"secret", []string{"endpoints"}},
		{"url", "webhook", []string{"url: ftp://a.example.com", "secret: " + secret}, "url", nil},
		{"secret missing", "webhook", []string{"url: https://a.example.com"}, "secret", []string{"allow_unsigned"}},
		{"secret", "webhook", []string{"url: https://a.example.com", "secret: nope"}, "secret", nil},
		{"endpoint url missing", "webhook", []string{"endpoints: [{secret: " + secret + "}]"}, "endpoints[0].url", nil},
		{"endpoint url", "webhook", []string{"endpoints: [{url: 'https://a.example.com#x', secret: " + secret + "}]"}, "endpoints[0].url", nil},
		{"endpoint secret missing", "webhook", []string{"endpoints: [{url: 'https://a.example.com'}]"}, "endpoints[0].secret", []string{"allow_unsigned"}},
		{"endpoint url twice", "webhook", []string{"allow_unsigned: true", "endpoints: [{url: 'https://a.example.com'}, {url: 'https://a.example.com'}]"},
			"endpoints[1].url", []string{"endpoints[0]"}},
		{"header name", "webhook", with(hook, "headers: {'X Bad': v}"), "headers", nil},
		{"header reserved", "webhook", with(hook, "headers: {Content-Type: v}"), `headers["Content-Type"]`, nil},
		{"header value", "webhook", with(hook, `headers: {X-Token: "a\u0001b"}`), `headers["X-Token"]`, nil},
		{"header value empty", "webhook", with(hook, "headers: {Authorization: ''}"), `headers["Authorization"]`, []string{"empty value"}},

		{"name", "email", with(mail, "name: 'mail '"), "name", nil},
		{"host missing", "email", without(mail, "host"), "host", nil},
		{"host", "email", with(without(mail, "host"), "host: 'smtp example.com'"), "host", nil},
		{"host with port", "email", with(without(mail, "host"), "host: 'smtp.example.com:25'"), "host", []string{"set port"}},
		{"port", "email", with(mail, "port: 70000"), "port", nil},
		{"ca_file with plaintext", "email", with(mail, "tls: plaintext", "ca_file: ca.pem"), "ca_file", []string{"TLS is plaintext"}},
		{"ca_file", "email", with(mail, "ca_file: nope.pem"), "ca_file", nil},
		{"hello_name", "email", with(mail, "hello_name: 'a b'"), "hello_name", nil},
		{"timeout", "email", with(mail, "timeout: -1s"), "timeout", nil},
		{"retry_deferred", "email", with(mail, "retry_deferred: -1s"), "retry_deferred", nil},
		{"concurrency", "email", with(mail, "concurrency: -1"), "concurrency", nil},
		{"auth without credentials", "email", with(mail, "auth: plain"), "auth", []string{"username and password"}},
		{"xoauth2 without token", "email", with(mail, "auth: xoauth2", "username: u"), "auth", []string{"username and oauth2_access_token"}},
		{"oauth2_access_token with auth none", "email", with(mail, "auth: none", "username: u", "oauth2_access_token: t"), "oauth2_access_token", nil},
		{"password without username", "email", with(mail, "password: pw"), "username", nil},
		{"username without password", "email", with(mail, "username: u"), "password", []string{"username is set"}},
		{"plaintext with credentials", "email", with(without(mail, "host"), "host: smtp.example.com", "tls: plaintext",
			"username: u", "password: pw"), "tls", []string{"plaintext would send", "use starttls or implicit"}},
		{"from missing", "email", without(mail, "from"), "from", nil},
		{"from", "email", with(without(mail, "from"), "from: 'not an address'"), "from", nil},
		{"to missing", "email", without(mail, "to"), "to", nil},
		{"to", "email", with(without(mail, "to"), "to: [a@example.com, 'nope']"), "to[1]", nil},
		{"to twice", "email", with(without(mail, "to"), "to: [a@example.com, A@example.com]"), "to[1]", []string{"to[0]"}},
		{"one-click without list_unsubscribe", "email", with(mail, "list_unsubscribe_one_click: true"),
			"list_unsubscribe_one_click", []string{"list_unsubscribe"}},
		{"list_unsubscribe template", "email", with(mail, "list_unsubscribe: 'https://x.example.com/{{'"), "list_unsubscribe", nil},
		{"list_unsubscribe", "email", with(mail, "list_unsubscribe: 'ftp://x.example.com/'"), "list_unsubscribe", nil},

		{"name", "x", with(x, "name: ' x'"), "name", nil},
		{"white space", "x", with(without(x, "consumer_key"), "consumer_key: ' a'"), "consumer_key", nil},
		{"one missing", "x", without(x, "access_secret"), "access_secret",
			[]string{"consumer_key, consumer_secret, access_token and access_secret"}},
		{"no credentials", "x", []string{"base_url: https://api.example.com"}, "",
			[]string{"consumer_key, consumer_secret, access_token and access_secret", "oauth2_access_token"}},
		{"oauth2 and oauth1", "x", with(x, "oauth2_access_token: t"), "oauth2_access_token",
			[]string{"consumer_key", "(consumer_key, consumer_secret, access_token, access_secret)", "(oauth2_access_token)"}},
		{"base_url", "x", with(x, "base_url: ftp://api.example.com"), "base_url", nil},

		{"name", "irc", with(ircBase, "name: ' chat'"), "name", nil},
		{"server missing", "irc", without(ircBase, "server"), "server", nil},
		{"server", "irc", with(without(ircBase, "server"), "server: irc.example.com"), "server", nil},
		{"server port", "irc", with(without(ircBase, "server"), "server: 'irc.example.com:0'"), "server", nil},
		{"ca_file without tls", "irc", with(ircBase, "tls: false", "ca_file: ca.pem"), "ca_file", []string{"TLS is false"}},
		{"ca_file with tls off", "irc", with(ircBase, "tls: off", "ca_file: ca.pem"), "ca_file", []string{"TLS is false"}},
		{"nick missing", "irc", without(ircBase, "nick"), "nick", nil},
		{"nick", "irc", with(without(ircBase, "nick"), "nick: '1st'"), "nick", nil},
		{"user", "irc", with(ircBase, "user: 'a b'"), "user", nil},
		{"real_name", "irc", with(ircBase, `real_name: "a\u0001"`), "real_name", nil},
		{"password", "irc", with(ircBase, `password: "a\u0001"`), "password", nil},
		{"sasl_user alone", "irc", with(ircBase, "sasl_user: u"), "sasl_user", []string{"sasl_user and sasl_password"}},
		{"sasl_password alone", "irc", with(ircBase, "sasl_password: pw"), "sasl_user", []string{"sasl_user and sasl_password"}},
		{"sasl NUL", "irc", with(ircBase, "sasl_user: u", `sasl_password: "a\u0000"`), "sasl_password", nil},
		{"password without tls", "irc", with(ircBase, "tls: false", "password: pw"), "tls", []string{"tls: false would send", "; use true ("}},
		{"password with tls off", "irc", with(ircBase, "tls: off", "password: pw"), "tls", []string{"tls: false would send", "; use true ("}},
		{"client_cert without tls", "irc", with(ircBase, "tls: false", "client_cert: c.pem", "client_key: k.pem"), "client_cert", []string{"set, but tls is false"}},
		{"channels missing", "irc", without(ircBase, "channels"), "channels", nil},
		{"channel", "irc", with(without(ircBase, "channels"), "channels: ['#ops', 'ops']"), "channels[1]", nil},
		{"channel twice", "irc", with(without(ircBase, "channels"), "channels: ['#ops', '#OPS']"), "channels[1]", []string{"channels[0]"}},
		{"max_lines", "irc", with(ircBase, "max_lines: -1"), "max_lines", nil},
		{"burst", "irc", with(ircBase, "burst: -1"), "burst", nil},
		{"interval", "irc", with(ircBase, "interval: -1s"), "interval", nil},
		{"timeout", "irc", with(ircBase, "timeout: -1s"), "timeout", nil},
		{"template", "irc", with(ircBase, "template: nope"), "template", []string{"templates"}},

		{"name", "statuspage", with(page, "name: ' site'"), "name", nil},
		{"dir", "statuspage", without(page, "dir"), "dir", nil},
		{"base_url missing", "statuspage", without(page, "base_url"), "base_url", nil},
		{"base_url", "statuspage", with(without(page, "base_url"), "base_url: ftp://status.example.com/"), "base_url", nil},
		{"component name", "statuspage", with(page, "components: [API, '']"), "components[1].name", nil},
		{"component twice", "statuspage", with(page, "components: [API, API]"), "components[1].name", nil},
		{"component description", "statuspage", with(page, "components: [{name: API, description: \"a\\u0001\"}]"), "components[0].description", nil},
		{"title", "statuspage", with(without(page, "title"), `title: "two\nlines"`), "title", nil},
		{"logo_url", "statuspage", with(page, "logo_url: 'ftp://x.example.com/logo.png'"), "logo_url", nil},
		{"home_url", "statuspage", with(page, "home_url: 'logo.png'"), "home_url", nil},
		{"link text", "statuspage", with(page, "links: [{text: '', url: 'https://x.example.com/'}]"), "links[0].text", nil},
		{"link url", "statuspage", with(page, "links: [{text: Home, url: 'ftp://x.example.com/'}]"), "links[0].url", nil},
		{"language", "statuspage", with(page, "language: 'not a tag'"), "language", nil},
		{"history_days", "statuspage", with(page, "history_days: -1"), "history_days", nil},
		{"feed_entries", "statuspage", with(page, "feed_entries: -1"), "feed_entries", nil},
		{"lock_timeout", "statuspage", with(page, "lock_timeout: -1s"), "lock_timeout", nil},
		{"templates", "statuspage", with(page, "templates: nope"), "templates", nil},

		{"name", "statuspageio", with(spio, "name: ' page'"), "name", nil},
		{"api_key missing", "statuspageio", without(spio, "api_key"), "api_key", nil},
		{"api_key", "statuspageio", with(without(spio, "api_key"), "api_key: 'a b'"), "api_key", nil},
		{"page_id missing", "statuspageio", without(spio, "page_id"), "page_id", nil},
		{"page_id", "statuspageio", with(without(spio, "page_id"), "page_id: 'ab-c'"), "page_id", nil},
		{"page_id long", "statuspageio", with(without(spio, "page_id"), "page_id: "+strings.Repeat("a", 80)), "page_id", nil},
		{"base_url", "statuspageio", with(spio, "base_url: http://api.example.com"), "base_url", nil},
		{"maintenance_window", "statuspageio", with(spio, "maintenance_window: -1m"), "maintenance_window", nil},
		{"rate_limit", "statuspageio", with(spio, "rate_limit: -1"), "rate_limit", nil},

		{"name", "slack", with(slackBase, "name: ' ops'"), "name", nil},
		{"token missing", "slack", without(slackBase, "token"), "token", []string{"token and channels, or webhook_url"}},
		{"token", "slack", with(without(slackBase, "token"), "token: abc"), "token", nil},
		{"webhook_url with token", "slack", with(without(slackBase, "channels"), "webhook_url: https://hooks.slack.com/services/T1/B1/x"), "webhook_url", []string{"with token"}},
		{"base_url with webhook_url", "slack", []string{"webhook_url: https://hooks.slack.com/services/T1/B1/x", "base_url: https://slack.example.com/api"},
			"base_url", []string{"with webhook_url"}},
		{"webhook_url", "slack", []string{"webhook_url: https://hooks.example.com/x"}, "webhook_url", nil},
		{"base_url", "slack", with(slackBase, "base_url: http://slack.example.com/api"), "base_url", nil},
		{"channels missing", "slack", without(slackBase, "channels"), "channels", nil},
		{"channel", "slack", with(without(slackBase, "channels"), "channels: ['#ops', 'a b']"), "channels[1]", nil},
		{"channel twice", "slack", with(without(slackBase, "channels"), "channels: ['#ops', '#ops']"), "channels[1]", []string{"channels[0]"}},

		{"name", "teams", []string{teamsURL, "name: ' ops'"}, "name", nil},
		{"webhook_url missing", "teams", []string{"name: ops"}, "webhook_url", nil},
		{"webhook_url", "teams", []string{"webhook_url: http://prod.example.com/x"}, "webhook_url", nil},
		{"webhook_url connector", "teams", []string{"webhook_url: https://example.webhook.office.com/webhookb2/x"}, "webhook_url", nil},
		{"webhook_url path", "teams", []string{"webhook_url: https://prod.example.com"}, "webhook_url", nil},

		{"name", "discord", []string{discordURL, "name: ' ops'"}, "name", nil},
		{"webhook_url missing", "discord", []string{"name: ops"}, "webhook_url", nil},
		{"webhook_url query", "discord", []string{discordURL + "?thread_id=1"}, "webhook_url", []string{"set thread_id"}},
		{"webhook_url path", "discord", []string{"webhook_url: https://discord.com/api/x"}, "webhook_url", nil},
		{"webhook_url id", "discord", []string{"webhook_url: https://discord.com/api/webhooks/abc/tok"}, "webhook_url", nil},
		{"thread_id", "discord", []string{discordURL, "thread_id: abc"}, "thread_id", nil},
		{"forum and thread_id", "discord", []string{discordURL, "thread_id: '1'", "forum: true"}, "forum", []string{"set forum or thread_id"}},
		{"avatar_url", "discord", []string{discordURL, "avatar_url: ftp://x.example.com/a.png"}, "avatar_url", nil},
		{"forum_tags without forum", "discord", []string{discordURL, "forum_tags: ['1']"}, "forum_tags", []string{"only with forum"}},
		{"forum_tag", "discord", []string{discordURL, "forum: true", "forum_tags: ['1', 'x']"}, "forum_tags[1]", nil},
		{"forum_tag twice", "discord", []string{discordURL, "forum: true", "forum_tags: ['1', '1']"}, "forum_tags[1]", []string{"forum_tags[0]"}},
		{"username", "discord", []string{discordURL, "username: '  '"}, "username", nil},
		{"username discord", "discord", []string{discordURL, "username: my discord bot"}, "username", nil},

		{"name", "googlechat", []string{chatURL, "name: ' ops'"}, "name", nil},
		{"webhook_url missing", "googlechat", []string{"name: ops"}, "webhook_url", nil},
		{"webhook_url path", "googlechat", []string{"webhook_url: https://chat.googleapis.com/v1/x?key=k&token=t"}, "webhook_url", nil},
		{"webhook_url query", "googlechat", []string{"webhook_url: https://chat.googleapis.com/v1/spaces/AAA/messages?key=k"}, "webhook_url", nil},

		{"name", "mastodon", with(masto, "name: ' ops'"), "name", nil},
		{"server missing", "mastodon", without(masto, "server"), "server", nil},
		{"server", "mastodon", with(without(masto, "server"), "server: http://mastodon.example.com"), "server", nil},
		{"token missing", "mastodon", without(masto, "token"), "token", nil},
		{"token", "mastodon", with(without(masto, "token"), "token: 'a b'"), "token", nil},
		{"visibility direct", "mastodon", with(masto, "visibility: direct"), "visibility", nil},
		{"language", "mastodon", with(masto, "language: English"), "language", nil},

		{"name", "bluesky", with(sky, "name: ' sky'"), "name", nil},
		{"identifier missing", "bluesky", without(sky, "identifier"), "identifier", nil},
		{"identifier", "bluesky", with(without(sky, "identifier"), "identifier: 'a b'"), "identifier", nil},
		{"app_password missing", "bluesky", without(sky, "app_password"), "app_password", nil},
		{"app_password", "bluesky", with(without(sky, "app_password"), "app_password: ' x'"), "app_password", nil},
		{"languages", "bluesky", with(sky, "languages: [en, de, fr, es]"), "languages", nil},
		{"language", "bluesky", with(sky, "languages: [en, '!!']"), "languages[1]", nil},
		{"service", "bluesky", with(sky, "service: http://pds.example.com"), "service", nil},
		{"service path", "bluesky", with(sky, "service: https://pds.example.com/x"), "service", nil},

		{"name", "telegram", with(tg, "name: ' tg'"), "name", nil},
		{"token missing", "telegram", without(tg, "token"), "token", nil},
		{"token", "telegram", with(without(tg, "token"), "token: abc"), "token", nil},
		{"chats missing", "telegram", without(tg, "chats"), "chats", nil},
		{"chat", "telegram", with(without(tg, "chats"), "chats: ['@examplestatus', 'x']"), "chats[1]", nil},
		{"chat twice", "telegram", with(without(tg, "chats"), "chats: ['@examplestatus', '@examplestatus']"), "chats[1]", []string{"chats[0]"}},
		{"link_preview disabled", "telegram", with(tg, "link_preview: {disabled: true, show_above_text: true}"), "link_preview",
			[]string{"disabled set"}},
		{"link_preview sizes", "telegram", with(tg, "link_preview: {prefer_small_media: true, prefer_large_media: true}"), "link_preview",
			[]string{"prefer_small_media and prefer_large_media"}},
		{"base_url", "telegram", with(tg, "base_url: http://api.example.com"), "base_url", nil},
		{"base_url with token", "telegram", with(tg, "base_url: 'https://api.example.com/bot123456789:AAEsecretsecretsecretsecret'"),
			"base_url", []string{"in token"}},
		{"template", "telegram", with(tg, "template: nope"), "template", nil},

		{"name", "matrix", with(mx, "name: ' mx'"), "name", nil},
		{"homeserver missing", "matrix", without(mx, "homeserver"), "homeserver", nil},
		{"homeserver", "matrix", with(without(mx, "homeserver"), "homeserver: http://matrix.example.org"), "homeserver", nil},
		{"access_token missing", "matrix", without(mx, "access_token"), "access_token", nil},
		{"access_token", "matrix", with(without(mx, "access_token"), "access_token: 'a b'"), "access_token", nil},
		{"rooms missing", "matrix", without(mx, "rooms"), "rooms", nil},
		{"room", "matrix", with(without(mx, "rooms"), "rooms: ['!abc:example.org', 'ops']"), "rooms[1]", nil},
		{"room twice", "matrix", with(without(mx, "rooms"), "rooms: ['!abc:example.org', '!abc:example.org']"), "rooms[1]", []string{"rooms[0]"}},
	}
}

// Every kind's every check names the key the file wrote, and no Go name,
// whichever setting it is about.
func TestEveryChannelErrorNamesItsKey(t *testing.T) {
	kinds := map[string]bool{}
	for _, k := range config.Kinds() {
		kinds[k.Name()] = false
	}
	for _, tc := range keyCases() {
		kinds[tc.kind] = true
		t.Run(tc.kind+"/"+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCA(t, filepath.Join(dir, "ca.pem"))
			yaml := lines("channels:", "  - kind: "+tc.kind) + "    " + strings.Join(tc.lines, "\n    ") + "\n"
			_, err := parseIn(dir, yaml, config.Loader{LookupEnv: env(nil)})
			require.Error(t, err)
			msg := err.Error()
			msg = strings.ReplaceAll(msg[strings.Index(msg, "test.yaml:"):], dir, "DIR") // the directory is the test's
			if tc.key != "" {
				assert.Regexp(t, `^test\.yaml:\d+: channels\[0\](?:\.| \([a-z]+ "[^"]*"\): )`+regexp.QuoteMeta(tc.key)+`: `, msg)
			}
			for _, w := range tc.also {
				assert.Contains(t, msg, w)
			}
			assertNoGoNames(t, msg, configOf(tc.kind)...)
			assert.NotContains(t, msg, secret)
		})
	}
	for k, tested := range kinds {
		assert.True(t, tested, "kind %s has no case", k)
	}
}

// A name in the user's own text, unquoted in an error (a path, a
// template's field, an IRC channel, a URL's query), is left as written:
// only the words that name a field are turned into keys.
func TestUserTextIsNotRewritten(t *testing.T) {
	mail := "channels: [{kind: email, host: smtp.example.com, from: s@example.com, to: [a@example.com], "
	for yaml, want := range map[string]string{
		mail + "ca_file: /etc/Name/ca.pem}]\n":                                                                                     "stat /etc/Name/ca.pem",
		mail + "list_unsubscribe: 'https://e.com/u?r={{.To}}'}]\n":                                                                 "at <.To>",
		"channels: [{kind: irc, server: 'irc.example.com:6697', nick: s, channels: ['#Server :x']}]\n":                             "the key of #Server",
		"channels: [{kind: googlechat, webhook_url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t&Name=x'}]\n": `query "Name":`,
	} {
		_, _, err := parse(t, yaml, nil)
		assert.ErrorContains(t, err, want)
	}
}

// An unknown key that is a likely typo of a known one names it first: a
// kind has up to 30 keys, too many to scan for the one meant.
func TestUnknownKeySuggestsNearest(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"chanels: []\n", `test.yaml:1: unknown key "chanels" (did you mean "channels"? known: attempt_timeout, channels,`},
		{lines("channels:", "  - type: email", "    passwrod: x"), `test.yaml:3: channels[0]: unknown key "passwrod" (did you mean "password"? known: `},
		{lines("channels:", "  - type: irc", "    max-lines: 3"), `test.yaml:3: channels[0]: unknown key "max-lines" (did you mean "max_lines"? known: `},
		{lines("retry:", "  attempts: 3", "channels: [{type: console}]"), `test.yaml:2: retry: unknown key "attempts" (known: initial_interval,`},
	}
	for _, tt := range tests {
		_, _, err := parse(t, tt.yaml, nil)
		assert.ErrorContains(t, err, tt.want)
	}
}
