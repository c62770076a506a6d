package config_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/config"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is a fixed environment for tests.
func env(vars map[string]string) config.LookupEnv {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func parse(t *testing.T, yaml string, vars map[string]string) (*config.File, *bytes.Buffer, error) {
	t.Helper()
	var out bytes.Buffer
	l := config.Loader{LookupEnv: env(vars), Stdout: &out, Stderr: &out}
	cfg, err := l.Parse(strings.NewReader(yaml), filepath.Join(t.TempDir(), "test.yaml"))
	return cfg, &out, err
}

// parseIn is Parse of a file named test.yaml in dir.
func parseIn(dir, yaml string, l config.Loader) (*config.File, error) {
	return l.Parse(strings.NewReader(yaml), filepath.Join(dir, "test.yaml"))
}

func TestParse(t *testing.T) {
	cfg, _, err := parse(t, `
state: state.db
attempt_timeout: 5s
retry: {max_attempts: 3, initial_interval: 10ms, max_interval: 1s, max_elapsed: 1m}
channels:
  - type: console
  - type: webhook
    name: hooks
    url: ${HOOK_URL:-https://hooks.example.com/in}
    secret: ${HOOK_SECRET}
  - type: email
    host: localhost
    port: ${SMTP_PORT}
    tls: plaintext
    from: status@example.com
    to: [a@example.com]
`, map[string]string{"HOOK_SECRET": secret, "SMTP_PORT": "1025"})
	require.NoError(t, err)
	names := make([]string, len(cfg.Channels))
	for i, ch := range cfg.Channels {
		names[i] = ch.Name()
	}
	assert.Equal(t, []string{"console", "hooks", "email"}, names, "a name defaults to the type")
	assert.Equal(t, broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 10 * time.Millisecond,
		MaxInterval: time.Second, MaxElapsed: time.Minute}, cfg.Retry)
	assert.Equal(t, 5*time.Second, cfg.Options().AttemptTimeout)
	assert.Equal(t, config.StoreBolt, cfg.Store.Kind)
	assert.True(t, filepath.IsAbs(cfg.Store.Path) && filepath.Base(cfg.Store.Path) == "state.db",
		"state is relative to the file's directory: %s", cfg.Store.Path)
	assert.Equal(t, "key ${HOOK_SECRET}", cfg.Hide("key "+secret))
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"unknown top-level key", "chanels: []\n", `test.yaml:1: unknown key "chanels" (did you mean "channels"? known: attempt_timeout, channels, retry, stage_wait, stages, state, store, templates)`},
		{"unknown channel key names line and channel", "channels:\n  - type: webhook\n    url: https://h.example.com\n    secrt: x\n",
			`test.yaml:4: channels[0]: unknown key "secrt"`},
		{"unknown nested key", "channels:\n  - type: webhook\n    endpoints:\n      - url: https://h.example.com\n        sekret: x\n",
			`test.yaml:5: channels[0].endpoints[0]: unknown key "sekret"`},
		{"unknown retry key", "retry:\n  attempts: 3\nchannels: [{type: console}]\n", `test.yaml:2: retry: unknown key "attempts"`},
		{"key of another channel type", "channels:\n  - type: console\n    url: https://h.example.com\n", `test.yaml:3: channels[0]: unknown key "url"`},
		{"missing kind", "channels:\n  - name: a\n", `test.yaml:2: channels[0]: kind: missing (one of bluesky, console, discord, email, googlechat, irc, mastodon, matrix, slack, statuspage, statuspageio, teams, telegram, twitter, webhook, x), or a url`},
		{"unknown type", "channels:\n  - type: telex\n", `channels[0]: type: unknown value "telex"`},
		{"no channels", "state: x.db\n", "channels: none configured"},
		{"empty file", "", "empty file"},
		{"not YAML", "channels: [\n", `test.yaml:1: channels: "[" not closed, or a "," missing (did not find expected node content)`},
		{"wrong value type", "channels:\n  - type: email\n    port: many\n", `test.yaml:3: channels[0].port: want a whole number, got "many"`},
		{"bad duration", "attempt_timeout: soon\nchannels: [{type: console}]\n", `test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "soon"`},
		{"duplicate key", "channels: []\nchannels: []\n", `test.yaml:2: channels: key given twice in one mapping (first at line 1)`},
		{"negative duration", "attempt_timeout: -1s\nchannels: [{type: console}]\n", "attempt_timeout: negative"},
		{"missing variable", "channels:\n  - type: webhook\n    url: https://h.example.com\n    secret: ${NOPE}\n",
			"test.yaml:4: channels[0].secret: ${NOPE}: environment variable NOPE is not set"},
		{"missing variable, a channel URL", "channels:\n  - type: console\n  - ${NOPE}\n",
			"test.yaml:3: channels[1]: ${NOPE}: environment variable NOPE is not set"},
		{"missing variable, top level", "state: ${NOPE}/state.db\nchannels: [{type: console}]\n",
			"test.yaml:1: state: ${NOPE}: environment variable NOPE is not set"},
		{"missing variable, merged in", "channels:\n  - type: webhook\n    url: https://h.example.com\n    <<: {secret: \"${NOPE}\"}\n",
			"test.yaml:4: channels[0].secret: ${NOPE}: environment variable NOPE is not set"},
		{"unterminated reference", "channels:\n  - type: console\n    name: ${OOPS\n", `test.yaml:3: channels[0].name: "${" without a closing "}" (write $${ for a literal ${)`},
		{"bad variable name", "channels:\n  - type: console\n    name: ${1X}\n", `test.yaml:3: channels[0].name: "${" starts no reference: want ${NAME}`},
		{"reference in a default", "channels:\n  - type: console\n    name: ${NOPE:-${OTHER}}\n",
			"test.yaml:3: channels[0].name: ${NOPE:-${OTHER}}: a default cannot hold a reference"},
		{"reference in the default of a set variable", "channels:\n  - type: console\n    name: ${SET:-${OTHER}}\n",
			"test.yaml:3: channels[0].name: ${SET:-${OTHER}}: a default cannot hold a reference"},
		{"channel refused by its package", "channels:\n  - type: webhook\n    name: hooks\n    url: ftp://h.example.com\n    secret: x\n",
			`test.yaml:4: channels[0] (webhook "hooks"): url: not an absolute http or https URL`},
		{"duplicate names", "channels:\n  - type: console\n  - type: console\n", `channels[1]: name "console": already used by channels[0]`},
		{"unknown console output", "channels:\n  - type: console\n    output: printer\n", `output: unknown value "printer"`},
		{"unknown email tls", "channels:\n  - type: email\n    host: h\n    tls: maybe\n", `test.yaml:4: channels[0].tls: unknown TLS mode "maybe" (want starttls, implicit or plaintext)`},
		{"channel neither URL nor mapping", "channels:\n  - console\n", "test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
		{"channel a list", "channels:\n  - [console]\n", "test.yaml:2: channels[0]: want a channel URL, or a mapping with a kind"},
		// ${NAME:-} is empty on purpose: the error says where the empty
		// entry came from.
		{"channel from an empty default", "channels:\n  - ${NOPE_URL:-}\n", "test.yaml:2: channels[0]: ${NOPE_URL:-} is empty: want a channel URL, or a mapping with a kind"},
		{"quoted channel from an empty default", "channels:\n  - \"${NOPE_URL:-}\"\n", "test.yaml:2: channels[0]: ${NOPE_URL:-} is empty: want a channel URL, or a mapping with a kind"},
		{"channel url from an empty default", "channels:\n  - url: ${NOPE_URL:-}\n", "test.yaml:2: channels[0].url: ${NOPE_URL:-} is empty: want a channel URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"SET": "value"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Inside [...] and {...} a reference must be quoted; quoted, it still
// takes the type of what it expands to, as an unquoted one does, so that
// a number or a boolean can come from the environment there too.
func TestQuotedReferenceTakesItsValuesType(t *testing.T) {
	vars := map[string]string{"PORT": "1025", "N": "4", "ON": "true", "WAIT": "2s"}
	cfg, _, err := parse(t, lines(`retry: {max_attempts: "${N}", initial_interval: "${WAIT}"}`,
		`channels: [{type: email, host: h.example.com, port: "${PORT}", from: s@example.com, to: [a@example.com]},`,
		`  {type: irc, server: "h.example.com:6697", nick: n, channels: ["#a"], notice: '${ON}'}]`), vars)
	require.NoError(t, err)
	assert.Equal(t, 4, cfg.Retry.MaxAttempts)
	assert.Equal(t, 2*time.Second, cfg.Retry.InitialInterval)
	assert.Contains(t, cfg.Describe("email"), "h.example.com:1025")

	// A default, taken when the variable is unset (in an outage, a host
	// whose environment lacks it), is typed as the variable's value is.
	cfg, _, err = parse(t, lines(`retry: {max_attempts: "${NOPE:-3}", initial_interval: "${NOPE:-1s}"}`,
		`channels: [{type: email, host: h.example.com, port: "${NOPE:-2525}", from: s@example.com, to: [a@example.com]},`,
		`  {type: irc, server: "h.example.com:6697", nick: n, channels: ["#a"], notice: "${NOPE:-true}"}]`), vars)
	require.NoError(t, err)
	assert.Equal(t, 3, cfg.Retry.MaxAttempts)
	assert.Contains(t, cfg.Describe("email"), "h.example.com:2525")

	_, _, err = parse(t, lines(`retry: {max_attempts: "4"}`, `channels: [{type: console}]`), vars)
	assert.ErrorContains(t, err, `retry.max_attempts: want a whole number, got "4"`, "a quoted number, no reference: a string")
	_, _, err = parse(t, lines(`channels: [{type: email, host: h.example.com, port: "${ON}"}]`), vars)
	assert.ErrorContains(t, err, `channels[0].port: want a whole number, got "${ON}"`)
}

func TestEnvironment(t *testing.T) {
	vars := map[string]string{"NAME": "ops", "EMPTY": "", "PORT": "1025"}
	tests := []struct{ in, want string }{
		{"${NAME}", "ops"},
		{"pre-${NAME}-post", "pre-ops-post"},
		{"${MISSING:-dflt}", "dflt"},
		{"${EMPTY:-dflt}", "dflt"},
		{"$${NAME}", "${NAME}"},
		{"a$b", "a$b"},
		{"'${NAME} and ${PORT}'", "ops and 1025"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, out, err := parse(t, "channels:\n  - type: console\n    name: "+tt.in+"\n", vars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Channels[0].Name())
			assert.Empty(t, out.String())
		})
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	const password = "correct-horse-battery-staple"
	tests := []struct{ name, yaml string }{
		{"decode error quoting the value", "channels:\n  - type: email\n    port: ${SMTP_PASSWORD}\n"},
		{"package error quoting the value", "channels:\n  - type: email\n    host: smtp.example.com\n    from: ${SMTP_PASSWORD}\n    to: [a@example.com]\n"},
		{"webhook secret", "channels:\n  - type: webhook\n    url: https://h.example.com\n    secret: ${SMTP_PASSWORD}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"SMTP_PASSWORD": password})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), password)
			assert.NotContains(t, err.Error(), password[:12])
		})
	}
}

// A value written in the file for a key that holds secrets, in the wrong
// shape, is not quoted in the error: headers written as curl takes them
// ("Authorization: Bearer …") instead of a mapping are the token itself.
func TestSecretOfTheWrongShapeNeverInErrors(t *testing.T) {
	const token = "hdr-token-8c1f2e9d7a"
	tests := []struct{ name, yaml, want string }{
		{"headers as text", "channels:\n  - type: webhook\n    url: https://h.example.com\n    allow_unsigned: true\n" +
			"    headers: \"Authorization: Bearer " + token + "\"\n",
			"test.yaml:5: channels[0].headers: want a mapping, got text (not quoted: it may be a secret)"},
		{"headers as a list", "channels:\n  - type: webhook\n    url: https://h.example.com\n    allow_unsigned: true\n" +
			"    headers: [\"Authorization: Bearer " + token + "\"]\n",
			"test.yaml:5: channels[0].headers: want a mapping, got a list"},
		// A tag makes the YAML library's error quote the value.
		{"secret tagged", "channels:\n  - type: webhook\n    url: https://h.example.com\n    secret: !!int " + token + "\n",
			"test.yaml:4: channels[0].secret: want a string, got text tagged !!int (not quoted: it may be a secret)"},
		{"header tagged", "channels:\n  - type: webhook\n    url: https://h.example.com\n    allow_unsigned: true\n" +
			"    headers: {Authorization: !!timestamp " + token + "}\n",
			"test.yaml:5: channels[0].headers.Authorization: want a string, got text tagged !!timestamp (not quoted: it may be a secret)"},
		{"URL tagged", "channels:\n  - type: webhook\n    url: !!int https://u:" + token + "@h.example.com\n    allow_unsigned: true\n",
			"test.yaml:3: channels[0].url: want a string, got text tagged !!int (not quoted: it may be a secret)"},
		{"IRC channel and key tagged", "channels:\n  - type: irc\n    server: h:1\n    nick: n\n    channels: [!!int '#ops " + token + "']\n",
			"test.yaml:5: channels[0].channels[0]: want a string, got text tagged !!int (not quoted: it may be a secret)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), token)
		})
	}
}

// A URL written in the file where a key wants something else is not
// quoted in the error: a channel URL carries its token ("channels:" with
// the "- " before the URL forgotten), and any URL may carry credentials.
func TestURLOfTheWrongShapeNeverInErrors(t *testing.T) {
	const token = "xoxb-1234-5678-urltokenSECRET"
	const url = "slack://xoxb:" + token + "@C0STATUS01"
	tests := []struct{ name, yaml, want string }{
		{"channels as a URL", "channels: " + url + "\n",
			"test.yaml:1: channels: want a list, got a URL (not quoted: it may hold credentials)"},
		{"channels as a URL on the next line", "channels:\n  " + url + "\n",
			"test.yaml:2: channels: want a list, got a URL (not quoted: it may hold credentials)"},
		{"when as a URL", "channels:\n  - type: console\n    when: " + url + "\n",
			"test.yaml:3: channels[0].when: want a mapping, got a URL (not quoted: it may hold credentials)"},
		{"stages as a URL", "stages: " + url + "\nchannels: [{type: console}]\n",
			"test.yaml:1: stages: want a list, got a URL (not quoted: it may hold credentials)"},
		{"a number as a URL", "channels:\n  - type: email\n    host: h.example.com\n    port: smtp://u:" + token + "@h.example.com\n" +
			"    from: s@example.com\n    to: [a@example.com]\n",
			"test.yaml:4: channels[0].port: want a whole number, got a URL (not quoted: it may hold credentials)"},
		{"a TLS mode as a URL", "channels:\n  - type: email\n    host: h.example.com\n    tls: smtp://u:" + token + "@h.example.com\n" +
			"    from: s@example.com\n    to: [a@example.com]\n",
			"test.yaml:4: channels[0].tls: unknown TLS mode a URL (not quoted: it may hold credentials) (want starttls, implicit or plaintext)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), token)
		})
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	cfg, out, err := parse(t, `
channels:
  - &screen
    type: console
    template: short
  - <<: *screen
    name: second
`, nil)
	require.NoError(t, err)
	require.Len(t, cfg.Channels, 2)
	assert.Equal(t, "second", cfg.Channels[1].Name())
	assert.True(t, cfg.WritesTo(out))

	_, _, err = parse(t, "channels:\n  - &c {type: console, typo: 1}\n  - <<: *c\n    name: b\n", nil)
	require.ErrorContains(t, err, `unknown key "typo"`)
}

func TestWritesTo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	cfg, err := parseIn(".", "channels: [{type: console, output: stderr}]\n",
		config.Loader{LookupEnv: env(nil), Stdout: &stdout, Stderr: &stderr})
	require.NoError(t, err)
	assert.True(t, cfg.WritesTo(&stderr))
	assert.False(t, cfg.WritesTo(&stdout))
}

func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	dir := t.TempDir()
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), block, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("junk"), 0o600))
	entry := "channels:\n  - type: email\n    host: localhost\n    from: s@example.com\n    to: [a@example.com]\n    ca_file: "
	for file, want := range map[string]string{"ca.pem": "", "junk.pem": "ca_file: junk.pem: no PEM certificate",
		"missing.pem": "ca_file: stat "} {
		_, err := parseIn(dir, entry+file+"\n", config.Loader{LookupEnv: env(nil)})
		if want == "" {
			assert.NoError(t, err)
			continue
		}
		assert.ErrorContains(t, err, want)
	}
}

func TestTemplatesDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "text.tmpl"), []byte("CUSTOM {{.Title}}\n"), 0o600))
	var out bytes.Buffer
	cfg, err := parseIn(dir, "templates: .\nchannels: [{type: console}]\n",
		config.Loader{LookupEnv: env(nil), Stdout: &out})
	require.NoError(t, err)
	b, err := broadcast.New(cfg.Channels, cfg.Options())
	require.NoError(t, err)
	_, err = b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	assert.Equal(t, "CUSTOM CDN errors\n", out.String())
}

// A short.tmpl of the templates directory is also the resolved and the
// completed update's text: it replaces the defaults' short.resolved and
// short.completed, which would otherwise say "the outage is over" in the
// default wording instead of the user's.
func TestTemplatesDirectoryReplacesDefaultVariants(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "short.tmpl"), []byte("CUSTOM {{.StatusLabel}}: {{.Title}}\n"), 0o600))
	var out bytes.Buffer
	cfg, err := parseIn(dir, "templates: .\nchannels: [{type: console, template: short}]\n",
		config.Loader{LookupEnv: env(nil), Stdout: &out})
	require.NoError(t, err)
	b, err := broadcast.New(cfg.Channels, cfg.Options())
	require.NoError(t, err)
	for _, u := range []broadcast.Update{
		{IncidentID: "i1", Title: "CDN errors", Status: broadcast.StatusInvestigating},
		{IncidentID: "i1", Title: "CDN errors", Status: broadcast.StatusResolved},
		{IncidentID: "m1", Title: "DB upgrade", Status: broadcast.StatusCompleted},
	} {
		_, err = b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	sep := "\n" + strings.Repeat("-", 40) + "\n" // console's, between updates
	assert.Equal(t, "CUSTOM Investigating: CDN errors"+sep+"CUSTOM Resolved: CDN errors"+sep+"CUSTOM Completed: DB upgrade\n", out.String())
}

// A template of the directory that fails only at send time (here, for a
// resolved update without components, which the sample update it is
// checked on has) fails its own channel, permanently, naming the template
// and its line; the other channel still sends.
func TestTemplateFailingAtSendTimeFailsOnlyItsChannel(t *testing.T) {
	dir := t.TempDir()
	// A branch for one status fails when the channel is made: it is tried
	// on an update of every status (setup.Samples).
	require.NoError(t, os.WriteFile(filepath.Join(dir, "first-component.tmpl"),
		[]byte("{{.Title}}\n{{if eq .Status \"resolved\"}}{{(index .Components 0).Name}} is back{{end}}\n"), 0o600))
	_, err := parseIn(dir, "templates: .\nchannels: [{type: console, name: own, template: first-component}]\n",
		config.Loader{LookupEnv: env(nil)})
	require.ErrorContains(t, err, "first-component:2:")
	// One that depends on what no sample has fails at send time, on its
	// channel only.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "first-component.tmpl"),
		[]byte("{{.Title}}\n{{if eq .Title \"CDN errors\"}}{{(index .Components 0).Name}} is back{{end}}\n"), 0o600))
	var out bytes.Buffer
	cfg, err := parseIn(dir, "templates: .\nchannels: [{type: console, name: own, template: first-component}, {type: console, name: plain}]\n",
		config.Loader{LookupEnv: env(nil), Stdout: &out})
	require.NoError(t, err)
	b, err := broadcast.New(cfg.Channels, cfg.Options())
	require.NoError(t, err)
	rep, err := b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusResolved})
	require.Error(t, err)
	require.Len(t, rep.Results, 2)
	assert.ErrorContains(t, rep.Results[0].Err, "first-component:2:")
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "%v", rep.Results[0].Err)
	assert.Equal(t, 1, rep.Results[0].Attempts, "not retried")
	assert.NoError(t, rep.Results[1].Err)
	assert.Contains(t, out.String(), "Resolved: CDN errors")
}

// A templates directory that is missing, or a file, is named by its path,
// as the file wrote it, and a missing one is said to be missing, with the
// path it was looked for at (relative paths start at the file's
// directory, not the working directory); a bad template names its file
// once.
func TestTemplatesDirectoryErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file.txt"), nil, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bad"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad", "short.tmpl"), []byte("{{.Title"), 0o600))
	at := filepath.Join(dir, "test.yaml") + ":1: templates: "
	for tdir, want := range map[string]string{
		"./nope":                      at + "./nope does not exist (" + filepath.Join(dir, "nope") + ", relative to the configuration file)",
		filepath.Join(dir, "nothere"): at + filepath.Join(dir, "nothere") + " does not exist",
		"./file.txt":                  at + "./file.txt is not a directory",
	} {
		_, err := parseIn(dir, "templates: "+tdir+"\nchannels: [{type: console}]\n", config.Loader{LookupEnv: env(nil)})
		assert.EqualError(t, err, want, tdir)
	}
	_, err := parseIn(dir, "channels: [{kind: statuspage, dir: ./site, templates: ./nope}]\n", config.Loader{LookupEnv: env(nil)})
	assert.ErrorContains(t, err, "templates: ./nope does not exist")
	_, err = parseIn(dir, "templates: ./bad\nchannels: [{type: console}]\n", config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:1: templates: ")
	assert.Contains(t, err.Error(), "short.tmpl")
	assert.NotContains(t, err.Error(), "templates: templates:")
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(path, []byte("state: s.db\nchannels: [{type: console, output: stderr}]\n"), 0o600))
	cfg, err := config.Loader{LookupEnv: env(nil)}.Load(path)
	require.NoError(t, err)
	assert.Equal(t, config.Store{Kind: config.StoreBolt, Path: filepath.Join(filepath.Dir(path), "s.db"), Key: "state", Line: 1}, cfg.Store)
	assert.Equal(t, path, cfg.Path)

	_, err = config.Load(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestDefault(t *testing.T) {
	var out bytes.Buffer
	cfg, err := config.Default(&out)
	require.NoError(t, err)
	require.Len(t, cfg.Channels, 1)
	assert.Equal(t, "console", cfg.Channels[0].Name())
	assert.Equal(t, "x", cfg.Hide("x"))
	assert.True(t, cfg.WritesTo(&out))
	assert.Equal(t, "stdout, template text", cfg.Describe("console"))

	cfg, err = config.Default(os.Stderr)
	require.NoError(t, err)
	assert.Equal(t, "stderr, template text", cfg.Describe("console"), "announce -json writes the console to standard error")
}

// A kind that is there but empty (left blank, or from a variable set to
// "") is reported as such, not as an unknown key of the URL form.
func TestEmptyKind(t *testing.T) {
	kinds := "(one of bluesky, console, discord, email, googlechat, irc, mastodon, matrix, slack, statuspage, statuspageio, teams, telegram, twitter, webhook, x)"
	tests := []struct {
		name, yaml, want string
	}{
		{"quoted", "channels:\n  - kind: \"\"\n", `test.yaml:2: channels[0]: kind: empty ` + kinds},
		{"left blank", "channels:\n  - name: ops\n    kind:\n", `test.yaml:2: channels[0]: kind: empty ` + kinds},
		{"older name", "channels:\n  - type: ''\n", `test.yaml:2: channels[0]: type: empty ` + kinds},
		{"from the environment", "channels:\n  - kind: ${KIND}\n", `test.yaml:2: channels[0].kind: ${KIND}: environment variable KIND is empty`},
		{"from the environment, empty on purpose", "channels:\n  - kind: ${KIND:-}\n", `test.yaml:2: channels[0]: kind: empty ` + kinds},
		{"merged in", "channels:\n  - &a {kind: console, name: a}\n  - {<<: *a, kind: \"\", name: b}\n", `test.yaml:3: channels[1]: kind: empty ` + kinds},
		{"both keys", "channels:\n  - {kind: console, type: \"\"}\n", `test.yaml:2: channels[0]: kind and type: set one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"KIND": ""})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A state written empty is refused, naming the key: it most likely comes
// from a variable another tool lost (envsubst and Helm write an unset
// variable as nothing, so "state: \"$STATE\"" becomes "state: \"\""), and
// read as left out it would silently keep receipts in memory, so that
// after a restart updates no longer thread and are sent again. An empty
// state on purpose is written ${NAME:-}, the documented empty value, and
// is a memory store as documented; so is a file without state.
func TestEmptyState(t *testing.T) {
	for _, state := range []string{`""`, `''`, ``, `~`, `null`} {
		_, _, err := parse(t, "state: "+state+"\nchannels: [{kind: console}]\n", nil)
		assert.ErrorContains(t, err, "test.yaml:1: state: empty (leave state out, or write store: {kind: memory}, "+
			"for a store that forgets on exit; ${NAME:-} for a state file that is optional)", state)
	}
	for _, yaml := range []string{"state: ${STATE:-}\n", "state: \"${STATE:-}\"\n", ""} {
		cfg, _, err := parse(t, yaml+"channels: [{kind: console}]\n", map[string]string{"STATE": ""})
		require.NoError(t, err, yaml)
		assert.Equal(t, config.Store{Kind: config.StoreMemory}, cfg.Store, yaml)
	}
}

// A templates directory written empty is refused, naming the key, as a
// state written empty is (TestEmptyState): read as left out, a variable
// another tool lost would silently give the default templates. An empty
// value on purpose is written ${NAME:-}.
func TestEmptyTemplates(t *testing.T) {
	for _, dir := range []string{`""`, `''`, ``, `~`, `null`} {
		_, _, err := parse(t, "templates: "+dir+"\nchannels: [{kind: console}]\n", nil)
		assert.ErrorContains(t, err, "test.yaml:1: templates: empty (leave templates out for the default templates; "+
			"${NAME:-} for a templates directory that is optional)", dir)
	}
	for _, yaml := range []string{"templates: ${TEMPLATES:-}\n", ""} {
		_, _, err := parse(t, yaml+"channels: [{kind: console}]\n", map[string]string{"TEMPLATES": ""})
		require.NoError(t, err, yaml)
	}
}

// The smallest values that are no mistake still load: an attempt of 1s,
// an initial wait equal to the cap, or above the default cap when the file
// sets no cap (broadcast raises the cap to it), and no stages.
func TestSmallestSaneValuesLoad(t *testing.T) {
	for _, yaml := range []string{
		"attempt_timeout: 1s\n", "attempt_timeout: 0s\n", "retry: {initial_interval: 1m, max_interval: 1m}\n",
		"retry: {initial_interval: 5m}\n", "retry: {max_interval: 1s}\n", "retry: {initial_interval: 100ms, max_interval: 500ms}\n",
		"stages: []\n",
	} {
		_, _, err := parse(t, yaml+"channels: [{kind: console}]\n", nil)
		require.NoError(t, err, yaml)
	}
}
