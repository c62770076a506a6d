package config_test

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		{"duplicate key", "channels: []\nchannels: []\n", []string{`test.yaml:2: mapping key "channels" already defined at line 1`}},
		{"not YAML", "channels: [\n", []string{"test.yaml:1: "}},
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
			`test.yaml:4: channels[1].tls: unknown TLS mode "maybe" (want on or off)`},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"SMTP_PORT": "twenty-five"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
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
			`test.yaml:3: channels[1] (webhook "ops"): url: missing (Secret is set)`},
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
			`channels[0] (email "email"): ca_file: set, but TLS is TLSPlaintext`},
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
	pacing := "irc: pacing: 5 lines to each of 3 channels need about 34s plus 3s to connect, but the attempt has 30s left; " +
		"raise broadcast.Options.AttemptTimeout, lower Config.MaxLines, post to fewer Config.Channels, " +
		"or raise Config.Burst or lower Config.Interval within the server's flood limit"
	assert.Equal(t, "irc: pacing: 5 lines to each of 3 channels need about 34s plus 3s to connect, but the attempt has 30s left; "+
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

// A route error merged in with "<<" names the channel's line, not 0.
func TestMergedKeyErrorHasALine(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - type: console", "  - type: console", "    name: two", "    <<: {when: {statuses: [bogus]}}"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:3: channels[1].when.statuses[0]: unknown value")
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
