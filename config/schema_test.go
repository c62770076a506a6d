package config_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/config"
)

// The checked-in schema.json is what the decoders' types make of it.
func TestSchemaIsGenerated(t *testing.T) {
	want, err := config.GenerateSchema(config.Kinds())
	require.NoError(t, err)
	if !bytes.Equal(want, config.Schema()) {
		t.Fatal("schema.json is not what GenerateSchema returns: run go generate ./config")
	}
}

// compiled returns the package's schema, compiled by an independent JSON
// Schema implementation.
func compiled(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(config.Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}

// validate checks a YAML file against the schema, as an editor would.
func validate(t *testing.T, s *jsonschema.Schema, file string) error {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(file), &v))
	js, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	require.NoError(t, err)
	return s.Validate(inst)
}

// The schema and the loader take the same files: a schema that lags a
// decoder (a key added, renamed or removed, a value type changed) fails
// here.
func TestSchemaAndLoaderAgree(t *testing.T) {
	s := compiled(t)
	vars := map[string]string{"SECRET": secret, "PORT": "2525", "NOTICE": "true", "TLS": "STARTTLS", "HOOK": "webhook://h.example.com/in?secret=" + secret}
	tests := []struct {
		name, yaml string
		ok         bool
	}{
		{"console", "channels: [{kind: console, output: stderr, template: short}]", true},
		{"type, the older name of kind", "channels: [{type: console}]", true},
		{"alias", "channels: [{kind: twitter, consumer_key: a, consumer_secret: b, access_token: c, access_secret: d}]", true},
		{"URL", `channels: ["console://stderr?template=short"]`, true},
		{"URL from the environment", `channels: ["${HOOK}"]`, true},
		{"URL scheme in upper case", `channels: ["CONSOLE://stderr", {url: "Console://", name: c}]`, true},
		{"URL with a name and a route", `channels: [{url: "console://", name: c, when: {statuses: [resolved], first: true}}]`, true},
		{"unknown scheme", `channels: ["gopher://h.example.com"]`, false},
		{"statuspage components by name", "channels: [{kind: statuspage, dir: site, base_url: \"https://status.example.com/\", components: [API, CDN]}]", true},
		{"statuspage component with a description", "channels: [{kind: statuspage, dir: site, base_url: \"https://status.example.com/\", " +
			"components: [API, {name: CDN, description: Static files}]}]", true},
		{"statuspage component with an unknown key", "channels: [{kind: statuspage, dir: site, base_url: \"https://status.example.com/\", " +
			"components: [{name: CDN, descr: Static files}]}]", false},
		{"statuspage URL, relative directory", `channels: ["statuspage:status-site?base_url=https%3A%2F%2Fstatus.example.com%2F&components=API,CDN"]`, true},
		{"statuspage URL, absolute directory", `channels: ["statuspage:/srv/status?base_url=https%3A%2F%2Fstatus.example.com%2F"]`, true},
		{"statuspage URL, empty authority", `channels: ["statuspage:///srv/status?base_url=https%3A%2F%2Fstatus.example.com%2F&title=Example%20Status"]`, true},
		{"statuspage URL with a name", `channels: [{url: "statuspage:status-site?base_url=https%3A%2F%2Fstatus.example.com%2F", name: page}]`, true},
		{"no scheme", `channels: ["status-site?base_url=x"]`, false},
		{"webhook", "channels: [{kind: webhook, url: https://h.example.com, secret: \"${SECRET}\", headers: {X-A: b}, concurrency: 2}]", true},
		{"endpoints", "channels: [{kind: webhook, endpoints: [{url: https://h.example.com, secret: \"${SECRET}\"}]}]", true},
		{"email", "channels:\n  - kind: email\n    host: h.example.com\n    port: ${PORT}\n    tls: implicit\n    auth: plain\n" +
			"    username: u\n    password: p\n    from: s@example.com\n    to: [a@example.com]\n    timeout: 10s\n    list_unsubscribe_one_click: false", true},
		{"numbers from the environment in flow style", `channels: [{kind: email, host: h.example.com, port: "${PORT}", from: s@example.com, to: [a@example.com]}]`, true},
		{"irc", "channels: [{kind: irc, server: 'irc.example.com:6697', tls: false, nick: n, channels: ['#a'], interval: 2s, persistent: true}]", true},
		{"everything at the top", "state: s.db\ntemplates: .\nattempt_timeout: 5s\nretry: {max_attempts: 3, initial_interval: 1s, max_interval: 1m, max_elapsed: 10m}\n" +
			"stages: [[a]]\nstage_wait: 1m\nchannels: [{kind: console, name: a}, {kind: console, name: b}]", true},
		{"memory store", "store: {kind: memory}\nchannels: [{kind: console}]", true},
		{"empty state", "state: \"\"\nchannels: [{kind: console}]", false},
		{"blank state", "state:\nchannels: [{kind: console}]", false},
		{"state empty on purpose", "state: ${NOPE:-}\nchannels: [{kind: console}]", true},
		{"empty templates", "templates: \"\"\nchannels: [{kind: console}]", false},
		{"empty stage", "stages: [[a], []]\nchannels: [{kind: console, name: a}]", false},
		{"unknown top-level key", "chanels: []\nchannels: [{kind: console}]", false},
		{"unknown channel key", "channels: [{kind: console, outptu: stderr}]", false},
		{"key of another kind", "channels: [{kind: console, host: h}]", false},
		{"unknown kind", "channels: [{kind: pager}]", false},
		{"no kind", "channels: [{name: a}]", false},
		{"empty name", `channels: [{kind: console, name: ""}]`, false},
		{"empty name with a URL", `channels: [{url: "console://", name: ""}]`, false},
		{"empty name in a merge", `channels: [{kind: console, <<: {name: ""}}]`, false},
		{"empty name from the environment", `channels: [{kind: console, name: "${NOPE:-}"}]`, true},
		{"empty name from the environment with a URL", `channels: [{url: "console://", name: "${NOPE:-}"}]`, true},
		{"kind and type", "channels: [{kind: console, type: console}]", false},
		{"number wanted", "channels: [{kind: email, host: h, port: many, from: s@example.com, to: [a@example.com]}]", false},
		{"bool wanted", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: loud}]", false},
		// YAML 1.2, which editors' YAML servers read, has only true and
		// false (any case) for booleans: on, yes, y are text
		// (https://yaml.org/spec/1.2.2/#1032-tag-resolution). Load reads
		// the file as the schema does.
		{"bool as True", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: True}]", true},
		{"bool as FALSE", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: FALSE}]", true},
		{"bool as on", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: on}]", false},
		{"bool as yes", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], persistent: yes}]", false},
		{"bool as No", "channels: [{kind: email, host: h, from: s@example.com, to: [a@example.com], list_unsubscribe_one_click: No}]", false},
		{"bool as off in when", "channels: [{kind: console, when: {statuses: [resolved], first: off}}]", false},
		{"bool quoted", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: "true"}]`, false},
		{"bool from the environment", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], notice: "${NOTICE}"}]`, true},
		// tls is no boolean: irc.TLSMode reads on and off as text.
		{"irc tls off", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: off}]", true},
		{"irc tls false", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: false}]", true},
		{"irc tls quoted true", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: "true"}]`, false},
		{"irc tls quoted off", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: "off"}]`, true},
		{"irc tls from the environment", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: "${NOTICE}"}]`, true},
		{"irc tls True", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: True}]", true},
		{"irc tls ON", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: ON}]", false},
		{"irc tls Off", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: Off}]", false},
		{"irc tls empty", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: ""}]`, false},
		{"irc tls empty from the environment", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: \"${NOPE:-}\"}]", true},
		{"irc tls off in a merge", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], <<: {tls: off}}]", true},
		{"irc tls quoted in a merge", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], <<: {tls: "false"}}]`, false},
		{"irc tls quoted in merges", `channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], <<: [{nick: m}, {tls: "false"}]}]`, false},
		{"irc tls tagged as text", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: !!str true}]", false},
		{"irc tls yes", "channels: [{kind: irc, server: 'h:1', nick: n, channels: ['#a'], tls: yes}]", false},
		{"fraction for a whole number", "retry: {max_attempts: 1.5}\nchannels: [{kind: console}]", false},
		{"negative max_attempts", "retry: {max_attempts: -1}\nchannels: [{kind: console}]", false},
		{"max_attempts 0, the default", "retry: {max_attempts: 0}\nchannels: [{kind: console}]", true},
		{"leading 0 that YAML 1.1 and 1.2 read alike", "retry: {max_attempts: 07}\nchannels: [{kind: console}]", true},
		{"port written empty", "channels:\n  - kind: email\n    host: h\n    port:\n    from: s@example.com\n    to: [a@example.com]", false},
		{"port null", "channels: [{kind: email, host: h, port: ~, from: s@example.com, to: [a@example.com]}]", false},
		{"port empty from the environment", `channels: [{kind: email, host: h, port: "${NOPE:-}", from: s@example.com, to: [a@example.com]}]`, true},
		{"retry written empty", "retry:\nchannels: [{kind: console}]", false},
		{"whole number written with a point", "retry: {max_attempts: 2.0}\nchannels: [{kind: console}]", true},
		{"duration 0", "stage_wait: \"0\"\nchannels: [{kind: console}]", true},
		{"duration 1m30s", "attempt_timeout: 1m30s\nchannels: [{kind: console}]", true},
		{"duration with a plus sign", "stage_wait: +1m30s\nretry: {max_elapsed: \"+0\"}\nchannels: [{kind: console}]", true},
		{"duration with a minus sign", "stage_wait: -1m30s\nchannels: [{kind: console}]", false},
		// "-0s" is no negative duration: Load reads it as 0.
		{"zero duration with a minus sign", "stage_wait: -0s\nretry: {max_elapsed: \"-0\", max_interval: -.0m0.00s}\nchannels: [{kind: console}]", true},
		// A negative idle_timeout means no connection waits (email.Config).
		{"negative email idle_timeout", "channels: [{kind: email, host: h, from: s@example.com, to: [a@example.com], idle_timeout: -1s}]", true},
		{"negative email timeout", "channels: [{kind: email, host: h, from: s@example.com, to: [a@example.com], timeout: -1s}]", false},
		{"email idle_timeout without a unit", "channels: [{kind: email, host: h, from: s@example.com, to: [a@example.com], idle_timeout: \"-1\"}]", false},
		{"duration with a minus sign before a zero", "stage_wait: -0s1ms\nchannels: [{kind: console}]", false},
		{"duration ending without a unit", "attempt_timeout: 1m0\nchannels: [{kind: console}]", false},
		{"duration 0 after a unit", "attempt_timeout: 1h0m0\nchannels: [{kind: console}]", false},
		{"duration 00", "attempt_timeout: \"00\"\nchannels: [{kind: console}]", false},
		{"duration 0 before a unit", "attempt_timeout: 01m\nchannels: [{kind: console}]", true},
		{"duration wanted", "attempt_timeout: soon\nchannels: [{kind: console}]", false},
		{"unknown TLS mode", "channels: [{kind: email, host: h, tls: maybe, from: s@example.com, to: [a@example.com]}]", false},
		{"unknown status in when", "channels: [{kind: console, when: {statuses: [down]}}]", false},
		{"unknown impact in when", "channels: [{kind: console, when: {impacts: [huge]}}]", false},
		{"unknown key in when", "channels: [{kind: console, when: {status: [resolved]}}]", false},
		{"blank component in when", `channels: [{kind: console, when: {components: ["  "]}}]`, false},
		{"component with white space around in when", `channels: [{kind: console, when: {components: [" CDN "]}}]`, true},
		{"unknown store kind", "store: {kind: postgres, path: x}\nchannels: [{kind: console}]", false},
		// A key of listed values takes them as listed, as an editor does:
		// other spellings that a channel's package reads, and an empty
		// value, are errors unless they come from the environment.
		{"email tls in upper case", "channels: [{kind: email, host: h, tls: STARTTLS, from: s@example.com, to: [a@example.com]}]", false},
		{"email tls empty", `channels: [{kind: email, host: h, tls: "", from: s@example.com, to: [a@example.com]}]`, false},
		{"email tls empty from the environment", `channels: [{kind: email, host: h, tls: "${NOPE:-}", from: s@example.com, to: [a@example.com]}]`, true},
		{"email tls in upper case from the environment", `channels: [{kind: email, host: h, tls: "${TLS}", from: s@example.com, to: [a@example.com]}]`, true},
		{"email auth in mixed case", "channels: [{kind: email, host: h, auth: Plain, username: u, password: p, from: s@example.com, to: [a@example.com]}]", false},
		{"email auth in upper case", "channels: [{kind: email, host: h, auth: PLAIN, username: u, password: p, from: s@example.com, to: [a@example.com]}]", true},
		{"email auth empty", `channels: [{kind: email, host: h, auth: "", from: s@example.com, to: [a@example.com]}]`, false},
		{"mastodon visibility empty", `channels: [{kind: mastodon, server: "https://m.example.com", token: abcdefgh, visibility: ""}]`, false},
		{"empty store kind", "store: {kind: \"\", path: x.db}\nchannels: [{kind: console}]", false},
		{"empty store kind from the environment", "store: {kind: \"${NOPE:-}\", path: x.db}\nchannels: [{kind: console}]", true},
		{"status with white space around in when", `channels: [{kind: console, when: {statuses: [" resolved "], impacts: [" major"]}}]`, true},
		{"no channels", "state: s.db", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, loadErr := parse(t, tt.yaml+"\n", vars)
			schemaErr := validate(t, s, tt.yaml)
			assert.Equal(t, tt.ok, loadErr == nil, "Load: %v", loadErr)
			assert.Equal(t, tt.ok, schemaErr == nil, "schema: %v", schemaErr)
		})
	}
}

// The shipped configurations, every YAML file under examples/ but OpenAPI
// documents, carry the schema line and validate: a sample added later is
// checked without being listed here.
func TestShippedConfigsValidate(t *testing.T) {
	s := compiled(t)
	var paths []string
	require.NoError(t, filepath.WalkDir("../examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
			paths = append(paths, path)
		}
		return nil
	}))
	configs := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var top map[string]any
		require.NoError(t, yaml.Unmarshal(data, &top), path)
		if _, ok := top["openapi"]; ok {
			continue // the server's API, not a configuration
		}
		configs++
		first, _, _ := strings.Cut(string(data), "\n")
		abs, err := filepath.Abs(path)
		require.NoError(t, err)
		here, err := filepath.Abs("schema.json")
		require.NoError(t, err)
		rel, err := filepath.Rel(filepath.Dir(abs), here)
		require.NoError(t, err)
		assert.Equal(t, "# yaml-language-server: $schema="+filepath.ToSlash(rel), first, path)
		assert.NoError(t, validate(t, s, string(data)), path)
	}
	assert.GreaterOrEqual(t, configs, 3, "the announce sample, its walkthrough and the server's: %v", paths)
}
