package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/config"
)

func names(f *config.File) []string {
	out := make([]string, len(f.Channels))
	for i, ch := range f.Channels {
		out[i] = ch.Name()
	}
	return out
}

// Channels written as URLs, next to the full form.
func TestURLChannels(t *testing.T) {
	hookURL := "webhook://hooks.example.com/in/tok-5d1e9a?secret=" + secret
	cfg, out, err := parse(t, lines(
		"channels:",
		`  - ${HOOK_URL}`,
		`  - "console://stdout?template=short"`,
		`  - url: smtp://u:${SMTP_PASSWORD}@127.0.0.1:1025/?tls=plaintext&from=s@example.com&to=a@example.com`,
		"    name: mail",
		"    when: {statuses: [resolved], first: true}",
		"  - kind: console",
		"    name: full",
	), map[string]string{"HOOK_URL": hookURL, "SMTP_PASSWORD": "correct-horse-battery"})
	require.NoError(t, err)
	assert.Equal(t, []string{"webhook", "console", "mail", "full"}, names(cfg), "a URL's name defaults to its kind")
	assert.Equal(t, map[string]broadcast.Route{"mail": {Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true}}, cfg.Routes)
	assert.Equal(t, "1 endpoint https://hooks.example.com/…#"+strings.Split(cfg.Describe("webhook"), "#")[1], cfg.Describe("webhook"))
	assert.Equal(t, "127.0.0.1:1025 (plaintext) as u, from s@example.com to 1 recipient", cfg.Describe("mail"))
	assert.Equal(t, "stdout, template short", cfg.Describe("console"))
	for _, name := range names(cfg) {
		assert.NotContains(t, cfg.Describe(name), "tok-5d1e9a")
		assert.NotContains(t, cfg.Describe(name), "correct-horse")
	}
	assert.True(t, cfg.WritesTo(out))
}

func TestURLChannelErrors(t *testing.T) {
	const token = "tok-5d1e9a77"
	tests := []struct{ name, yaml, want string }{
		{"unknown scheme", lines("channels:", `  - "gopher://h.example.com/`+token+`"`),
			`test.yaml:2: channels[0]: URL scheme "gopher": no kind of channel takes it (known: bluesky, bluesky+http, console, discord, googlechat, irc, ircs, mastodon, mastodon+http, matrix, matrix+http, slack, slack+http, smtp, smtps, statuspage, statuspageio, teams, teams+http, telegram, telegram+http, webhook, webhook+http, x)`},
		{"not a URL", lines("channels:", "  - "+token), "test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
		{"bad parameter", lines("channels:", `  - "webhook://h.example.com/`+token+`?concurrency=many"`),
			`test.yaml:2: channels[0] (webhook "webhook"): URL: concurrency: want a whole number`},
		{"unknown parameter", lines("channels:", `  - "slack+http://127.0.0.1:1/?token=`+token+`&channels=%23ops&colour=red"`),
			`test.yaml:2: channels[0] (slack "slack"): URL: query: unknown parameter "channels" (want name or base_url)`},
		{"refused by the package", lines("channels:", "  - url: webhook://h.example.com/"+token, "    name: hooks"),
			`test.yaml:2: channels[0] (webhook "hooks"): secret: missing (set allow_unsigned to send unsigned)`},
		{"key of the full form", lines("channels:", "  - url: console://", "    template: short"),
			`test.yaml:3: channels[0]: unknown key "template" (known: name, url, when) (or give the channel a kind)`},
		{"duplicate name", lines("channels:", "  - console://", "  - console://stderr"),
			`channels[1]: name "console": already used by channels[0]; give each channel a name`},
		{"when of a URL", lines("channels:", "  - url: console://", "    when: {impacts: [huge]}"),
			`test.yaml:3: channels[0].when.impacts[0]: unknown value "huge" (want none, minor, major, critical, maintenance)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			if strings.HasSuffix(tt.want, "…") {
				assert.Contains(t, err.Error(), strings.TrimSuffix(tt.want, "…"))
			} else {
				assert.Contains(t, err.Error(), tt.want)
			}
			assert.NotContains(t, err.Error(), token, "a URL is never quoted")
		})
	}
}

func TestWhenStagesAndStore(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"store: {kind: bolt, path: data/state.db}",
		"stages: [[page], [x]]",
		"stage_wait: 1m",
		"channels:",
		"  - {kind: console, name: page}",
		"  - kind: console",
		"    name: x",
		"    when:",
		"      statuses: [investigating, resolved]",
		"      impacts: [major, critical]",
		"      components: [CDN]",
		"      first: true",
		"  - {kind: console, name: rest}",
	), nil)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"page"}, {"x"}}, cfg.Stages)
	assert.Equal(t, "1m0s", cfg.StageWait.String())
	assert.Equal(t, broadcast.Route{Statuses: []broadcast.Status{"investigating", "resolved"},
		Impacts: []broadcast.Impact{"major", "critical"}, Components: []string{"CDN"}, First: true}, cfg.Routes["x"])
	assert.Equal(t, config.StoreBolt, cfg.Store.Kind)
	assert.Equal(t, filepath.Join("data", "state.db"), filepath.Join(filepath.Base(filepath.Dir(cfg.Store.Path)), filepath.Base(cfg.Store.Path)))
	opts := cfg.Options()
	assert.Equal(t, cfg.Stages, opts.Stages)
	assert.Equal(t, cfg.Routes, opts.Routes)
	assert.Nil(t, opts.Store, "Open opens the store")

	tests := []struct{ name, yaml, want string }{
		{"stage names no channel", lines("stages:", "  - [page]", "  - [nope]", "channels: [{kind: console, name: page}]"),
			"test.yaml:3: stages[1][0]: names no channel (not quoted: it may be a secret) (channels: page)"},
		{"stage names a channel with a typo", lines("stages: [[paeg]]", "channels: [{kind: console, name: page}, {kind: console, name: ops}]"),
			`test.yaml:1: stages[0][0]: names no channel (not quoted: it may be a secret); did you mean "page"? (channels: page, ops)`},
		{"stage entry from the environment", lines("stages: [[page, \"${OPS:-nope}\"]]", "channels: [{kind: console, name: page}]"),
			`test.yaml:1: stages[0][1]: "${OPS:-nope}" names no channel (channels: page)`},
		{"stage entry empty from the environment", lines("stages: [[page, \"${OPS:-}\"]]", "channels: [{kind: console, name: page}]"),
			`test.yaml:1: stages[0][1]: "${OPS:-}" is empty (write a channel's name) (channels: page)`},
		{"stage entry empty", lines("stages: [[page, '']]", "channels: [{kind: console, name: page}]"),
			"test.yaml:1: stages[0][1]: empty (write a channel's name) (channels: page)"},
		{"channel in two stages", lines("stages: [[page], [page]]", "channels: [{kind: console, name: page}]"),
			`stages[1][0]: channel "page" is in stages[0][0] already`},
		{"status", lines("channels:", "  - kind: console", "    when:", "      statuses: [investigating, down]"),
			`test.yaml:4: channels[0].when.statuses[1]: unknown value "down" (want investigating,`},
		{"first without statuses", lines("channels:", "  - kind: console", "    when:", "      first: true"),
			"test.yaml:4: channels[0].when.first: needs statuses"},
		{"state and store", lines("state: a.db", "store: {kind: bolt, path: b.db}", "channels: [{kind: console}]"),
			"test.yaml:2: store: set state or store, not both"},
		{"store kind", lines("store:", "  kind: postgres", "channels: [{kind: console}]"),
			`test.yaml:2: store.kind: unknown value "postgres" (want bolt or memory)`},
		{"bolt without path", lines("store: {kind: bolt}", "channels: [{kind: console}]"), "store.path: missing"},
		{"negative stage wait", lines("stage_wait: -1s", "channels: [{kind: console}]"), "test.yaml:1: stage_wait: negative"},
		// Values broadcast.New would take without a word, each surely a
		// mistake: an empty stage is dropped (a name lost from the list?),
		// an attempt shorter than a request can take times out every time,
		// and an initial wait above the cap is raised to it.
		{"empty stage", lines("stages:", "  - [page]", "  - []", "channels: [{kind: console, name: page}]"),
			"test.yaml:3: stages[1]: empty (a stage names at least one channel)"},
		{"attempt timeout of 1ns", lines("attempt_timeout: 1ns", "channels: [{kind: console}]"),
			"test.yaml:1: attempt_timeout: 1ns is too short for a request (at least 1s; leave it out for 30s)"},
		{"attempt timeout under 1s", lines("attempt_timeout: 999ms", "channels: [{kind: console}]"),
			"test.yaml:1: attempt_timeout: 999ms is too short for a request (at least 1s; leave it out for 30s)"},
		{"initial interval above max interval", lines("retry:", "  max_interval: 1m", "  initial_interval: 5m", "channels: [{kind: console}]"),
			"test.yaml:3: retry.initial_interval: 5m0s is longer than retry.max_interval (1m0s)"},
		// The default initial wait, 1s, would raise a cap set under it:
		// waits of up to 1s where the file says 500ms.
		{"max interval under the default initial interval", lines("retry: {max_interval: 500ms}", "channels: [{kind: console}]"),
			"test.yaml:1: retry.max_interval: 500ms is shorter than the default retry.initial_interval (1s): set retry.initial_interval too"},
		{"kind and type", lines("channels:", "  - {kind: console, type: console}"), "channels[0]: kind and type: set one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Open builds a Broadcaster with the file's store, and Close closes it.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	l := config.Loader{LookupEnv: env(nil), Stdout: &out}
	yaml := "state: state.db\nchannels: [{kind: console, template: short}]\n"
	send := func() *broadcast.Report {
		cfg, err := parseIn(dir, yaml, l)
		require.NoError(t, err)
		b, err := cfg.Open(cfg.Options())
		require.NoError(t, err)
		defer func() { require.NoError(t, b.Close()) }()
		rep, err := b.Send(context.Background(), broadcast.Update{ID: "u1", Title: "T", Status: broadcast.StatusResolved})
		require.NoError(t, err)
		return rep
	}
	assert.False(t, send().Results[0].Skipped)
	assert.True(t, send().Results[0].Skipped, "the bolt store remembers across Opens")
	assert.FileExists(t, filepath.Join(dir, "state.db"))
	assert.Equal(t, 1, strings.Count(out.String(), "Resolved: T"))

	cfg, err := parseIn(dir, "stages: [[console]]\nchannels: [{kind: console}]\n", l)
	require.NoError(t, err)
	opts := cfg.Options()
	opts.AttemptTimeout = -1
	_, err = cfg.Open(opts)
	assert.EqualError(t, err, "broadcast: Options.AttemptTimeout: negative")
}

// Every kind of the table is complete, and its URL form round-trips
// through the loader and validates against the schema.
func TestKinds(t *testing.T) {
	schema := compiled(t)
	samples := sampleURLs()
	names, schemes := map[string]bool{}, map[string]bool{}
	for _, k := range config.Kinds() {
		assert.NotEmpty(t, k.Schemes(), k.Name())
		for _, n := range append(k.Aliases(), k.Name()) {
			assert.False(t, names[n], "kind %s twice", n)
			names[n] = true
		}
		for _, s := range k.Schemes() {
			assert.False(t, schemes[s], "scheme %s twice", s)
			schemes[s] = true
		}
		raw, ok := samples[k.Name()]
		require.True(t, ok, "no sample URL for %s", k.Name())
		cfg, _, err := parse(t, "channels: [\""+raw+"\"]\n", nil)
		require.NoError(t, err, k.Name())
		assert.NoError(t, validate(t, schema, "channels: [\""+raw+"\"]\n"), "schema: %s", k.Name())
		assert.Equal(t, k.Name(), cfg.Channels[0].Name())
		assert.NotEmpty(t, cfg.Describe(k.Name()))
		assert.NotContains(t, cfg.Describe(k.Name()), "?…", "%s: described in words, not as its URL", k.Name())
	}
	assert.Len(t, samples, len(config.Kinds()))
}

// A Loader takes kinds of its own.
func TestLoaderKinds(t *testing.T) {
	mine := config.Define("mine", func(c struct {
		Name  string `yaml:"name"`
		Level int    `yaml:"level"`
	}) (broadcast.Channel, error) {
		return broadcast.ChannelFunc(c.Name, func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, nil
		}), nil
	}, config.Spec[struct {
		Name  string `yaml:"name"`
		Level int    `yaml:"level"`
	}]{})
	l := config.Loader{LookupEnv: env(nil), Kinds: append(config.Kinds(), mine)}
	cfg, err := parseIn(t.TempDir(), "channels: [{kind: mine, level: 3}]\n", l)
	require.NoError(t, err)
	assert.Equal(t, "mine", cfg.Channels[0].Name())
	_, err = parseIn(t.TempDir(), "channels: [{kind: mine, levle: 3}]\n", l)
	assert.ErrorContains(t, err, `unknown key "levle" (did you mean "level"? known: kind, level, name, type, when)`)
	schema, err := config.GenerateSchema(l.Kinds)
	require.NoError(t, err)
	assert.Contains(t, string(schema), `"kind_mine"`)
}

// A channel URL that net/url refuses is reported with the reason, without
// the URL or its credentials.
func TestURLParseErrors(t *testing.T) {
	const password = "s3cret-pw-9f2e"
	tests := []struct{ name, yaml, want string }{
		{"bad port", lines("channels:", `  - "smtp://alice:`+password+`@127.0.0.1:abc/?from=s%40example.com&to=a%40example.com"`),
			`test.yaml:2: channels[0]: bad channel URL: invalid port ":abc" after host`},
		{"bad escape", lines("channels:", "  - url: webhook://user:"+password+"@%zz/x", "    name: hooks"),
			`test.yaml:2: channels[0].url: bad channel URL: invalid URL escape "%zz"`},
		{"bad escape from the environment", lines("channels:", "  - ${HOOK_URL}"),
			`test.yaml:2: channels[0]: bad channel URL: invalid URL escape "%zz"`},
		// A password with a "/" not percent-encoded ends the URL's host
		// inside the password: the port url.Parse quotes is a part of it.
		{"slash in a password from the environment", lines("channels:", `  - "smtp://alice:${SMTP_PASSWORD}@127.0.0.1:25/?from=s%40example.com&to=a%40example.com"`),
			`test.yaml:2: channels[0]: bad channel URL: invalid port after host (percent-encode / ? # @ : and % in a user name or password)`},
		{"escape in a password", lines("channels:", `  - "smtp://alice:`+password+`%zz@127.0.0.1:25/?from=s%40example.com&to=a%40example.com"`),
			`test.yaml:2: channels[0]: bad channel URL: invalid URL escape (percent-encode / ? # @ : and % in a user name or password)`},
		// Without the "@" and host after them, a user name and password
		// are taken for a host and port: a Telegram bot token
		// ("123456:SECRET") or a Matrix access token (":TOKEN").
		{"credentials without a host", lines("channels:", "  - matrix://:s3cret"+password),
			`test.yaml:2: channels[0]: bad channel URL: invalid port after host (percent-encode / ? # @ : and % in a user name or password)`},
		{"credentials without a host from the environment", lines("channels:", "  - ${TG_URL}"),
			`test.yaml:2: channels[0]: bad channel URL: invalid port after host (percent-encode / ? # @ : and % in a user name or password)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"HOOK_URL": "webhook://user:" + password + "@%zz/x", "SMTP_PASSWORD": "s3cret/" + password,
				"TG_URL": "telegram://123456:s3cret" + password})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), password)
			assert.NotContains(t, err.Error(), "alice")
			assert.NotContains(t, err.Error(), "s3cret", "no part of a password")
		})
	}
}

// Describe writes an IPv6 mail server with brackets before its port, as
// in a URL, however the file wrote the address.
func TestDescribeIPv6MailServer(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - {kind: email, name: bare, host: \"::1\", port: 1025, tls: plaintext, from: s@example.com, to: [a@example.com]}",
		"  - {kind: email, name: bracketed, host: \"[::1]\", port: 1025, tls: plaintext, from: s@example.com, to: [a@example.com]}",
		"  - {kind: email, name: no-port, host: \"::1\", tls: plaintext, from: s@example.com, to: [a@example.com]}",
		"  - url: smtp://[::1]:1025/?tls=plaintext&from=s@example.com&to=a@example.com",
		"    name: url",
	), nil)
	require.NoError(t, err)
	for _, name := range []string{"bare", "bracketed", "url"} {
		assert.Equal(t, "[::1]:1025 (plaintext), from s@example.com to 1 recipient", cfg.Describe(name), name)
	}
	assert.Equal(t, "::1 (plaintext), from s@example.com to 1 recipient", cfg.Describe("no-port"))
}

// "when:" reads every value the same way: white space around a status, an
// impact or a component name (from a variable, say) is left out, since
// a route compares component names as written otherwise and " CDN" would
// select nothing.
func TestWhenTrimsValues(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: x",
		"    when:",
		`      statuses: [" resolved "]`,
		`      impacts: ["${IMPACT}"]`,
		`      components: [" CDN ", "${COMPONENT}"]`,
	), map[string]string{"IMPACT": "major ", "COMPONENT": " Edge network\n"})
	require.NoError(t, err)
	assert.Equal(t, broadcast.Route{Statuses: []broadcast.Status{"resolved"}, Impacts: []broadcast.Impact{"major"},
		Components: []string{"CDN", "Edge network"}}, cfg.Routes["x"])
}

// sampleURLs returns a channel URL of every kind, by kind.
func sampleURLs() map[string]string {
	return map[string]string{
		"console":      "console://stderr?template=short",
		"webhook":      "webhook://hooks.example.com/in?secret=" + secret,
		"email":        "smtp://u:pw@smtp.example.com:587/?from=s%40example.com&to=a%40example.com",
		"x":            "x://api.x.com?consumer_key=a&consumer_secret=b&access_token=c&access_secret=d",
		"irc":          "ircs://bot@irc.example.com:6697/ops",
		"statuspage":   "statuspage:status-site?base_url=https%3A%2F%2Fstatus.example.com%2F&components=API,CDN",
		"statuspageio": "statuspageio://key-123@kctbh9vrtdwd",
		"slack":        "slack://xoxb:123-456-abc@slack.com/%23ops",
		"teams":        "teams://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s1g",
		"discord":      "discord://tok3n@123456789012345678",
		"googlechat":   "googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=k3y&token=t0k",
		"mastodon":     "mastodon://t0ken@mastodon.example",
		"bluesky":      "bluesky://status.example.com:app-pass-word@bsky.social",
		"telegram":     "telegram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@examplestatus",
		"matrix":       "matrix://:syt_t0ken@matrix.example.org/?rooms=!abc:example.org",
	}
}

// A status page's language, in the file or in its URL form, reaches the
// pages' lang and the feeds' xml:lang.
func TestStatuspageLanguage(t *testing.T) {
	for name, ch := range map[string]string{
		"key": "{kind: statuspage, dir: site, base_url: 'https://status.example.com/', language: de-at}",
		"url": "'statuspage:site?base_url=https%3A%2F%2Fstatus.example.com%2F&language=de-at'",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg, err := parseIn(dir, "channels: ["+ch+"]\n", config.Loader{LookupEnv: env(nil)})
			require.NoError(t, err)
			b, err := cfg.Open(cfg.Options())
			require.NoError(t, err)
			defer func() { require.NoError(t, b.Close()) }()
			_, err = b.Send(context.Background(), broadcast.Update{ID: "u1", Title: "T", Status: broadcast.StatusInvestigating})
			require.NoError(t, err)
			page, err := os.ReadFile(filepath.Join(dir, "site", "current", "index.html"))
			require.NoError(t, err)
			assert.Contains(t, string(page), `<html lang="de-AT"`)
			feed, err := os.ReadFile(filepath.Join(dir, "site", "current", "history.atom"))
			require.NoError(t, err)
			assert.Contains(t, string(feed), `xml:lang="de-AT"`)
		})
	}
}
