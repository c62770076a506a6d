package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

func TestNewValidates(t *testing.T) {
	good := testSecret("a")
	eps := func(e ...Endpoint) []Endpoint { return e }
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"one endpoint", Config{URL: redact.NewURL("https://h.example/hook"), Secret: good}, ""},
		{"many endpoints", Config{Endpoints: eps(Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good}, Endpoint{URL: redact.NewURL("http://b.example:81/x"), Secret: testSecret("b")})}, ""},
		{"unsigned allowed", Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true}, ""},
		{"nothing", Config{}, "webhook: Config.URL: missing (set URL or Endpoints)"},
		{"secret without url", Config{Secret: good}, "webhook: Config.URL: missing (Secret is set)"},
		{"both", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Endpoints: eps(Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good})},
			"webhook: Config.URL: set URL or Endpoints, not both"},
		{"secret with endpoints", Config{Secret: good, Endpoints: eps(Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good})},
			"webhook: Config.Secret: set only with URL (Endpoints carry their own)"},
		{"relative url", Config{URL: redact.NewURL("/hook"), Secret: good}, "webhook: Config.URL: not an absolute http or https URL"},
		{"ftp url", Config{URL: redact.NewURL("ftp://h.example/"), Secret: good}, "webhook: Config.URL: not an absolute http or https URL"},
		{"no host", Config{URL: redact.NewURL("https:///x"), Secret: good}, "webhook: Config.URL: missing host"},
		{"fragment", Config{URL: redact.NewURL("https://h.example/#x"), Secret: good}, "webhook: Config.URL: has a fragment"},
		{"bad url", Config{URL: redact.NewURL("https://h.example/%zz"), Secret: good}, "webhook: Config.URL: not a URL"},
		{"port too large", Config{URL: redact.NewURL("https://h.example:65536/x"), Secret: good}, "webhook: Config.URL: a port that is not a number from 1 to 65535"},
		{"port zero", Config{URL: redact.NewURL("https://[2001:db8::1]:0/x"), Secret: good}, "webhook: Config.URL: a port that is not a number from 1 to 65535"},
		// A "/", "?" or "#" in a password, not %-escaped, cuts the URL
		// short: its user name becomes the host, its digits the port.
		{"password cut after digits", Config{URL: redact.NewURL("https://user:7319/rest@hooks.example.com/in"), Secret: good},
			`webhook: Config.URL: port: followed by a path holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the path, %40)`},
		{"password cut after digits, query", Config{Endpoints: eps(Endpoint{URL: redact.NewURL("https://user:7319?rest@hooks.example.com/in"), Secret: good})},
			`webhook: Config.Endpoints[0].URL: port: followed by a query holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the query, %40)`},
		{"password cut at its start", Config{URL: redact.NewURL("https://user:/rest@hooks.example.com/in"), Secret: good},
			`webhook: Config.URL: port: empty (a "/", "?" or "#" in a password is written %2F, %3F or %23)`},
		{"@ after a port, escaped", Config{URL: redact.NewURL("https://hooks.example.com:8443/to/ops%40example.com"), Secret: good}, ""},
		{"@ after a port, with user information", Config{URL: redact.NewURL("https://u:p@hooks.example.com:8443/to/ops@example.com"), Secret: good}, ""},
		{"unsigned refused", Config{URL: redact.NewURL("https://h.example/")},
			"webhook: Config.Secret: missing (set Config.AllowUnsigned to send unsigned)"},
		// Without its whsec_ prefix, as the reference libraries take it.
		{"secret without prefix", Config{URL: redact.NewURL("https://h.example/"), Secret: redact.NewSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")}, ""},
		{"secret without prefix, not base64", Config{URL: redact.NewURL("https://h.example/"), Secret: redact.NewSecret("MfKQ9r8GKYqrTwjU-D8ILPZIo2LaLaSw")},
			"webhook: Config.Secret: whsec_ secret is not valid base64 (given without its whsec_ prefix)"},
		{"endpoint secret", Config{Endpoints: eps(Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good}, Endpoint{URL: redact.NewURL("https://b.example/"), Secret: good},
			Endpoint{URL: redact.NewURL("https://c.example/"), Secret: good}, Endpoint{URL: redact.NewURL("https://d.example/"), Secret: redact.NewSecret("whsec_short")})},
			"webhook: Config.Endpoints[3].Secret: whsec_ secret is not valid base64"},
		{"endpoint url missing", Config{Endpoints: eps(Endpoint{URL: redact.NewURL(""), Secret: good})}, "webhook: Config.Endpoints[0].URL: missing"},
		{"duplicate endpoint", Config{Endpoints: eps(Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good}, Endpoint{URL: redact.NewURL("https://a.example/"), Secret: good})},
			"webhook: Config.Endpoints[1].URL: same as Endpoints[0]"},
		{"negative concurrency", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Concurrency: -1}, "webhook: Config.Concurrency: negative"},
		{"name with spaces", Config{Name: " hooks", URL: redact.NewURL("https://h.example/"), Secret: good},
			"webhook: Config.Name: leading or trailing white space"},
		{"name with a control character", Config{Name: "hooks\x1b[31m", URL: redact.NewURL("https://h.example/"), Secret: good},
			"webhook: Config.Name: holds a control character"},
		{"reserved header", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"webhook-signature": redact.NewSecret("x")}},
			`webhook: Config.Headers["webhook-signature"]: reserved, set by the channel`},
		{"content type header", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"CONTENT-TYPE": redact.NewSecret("text/plain")}},
			`webhook: Config.Headers["CONTENT-TYPE"]: reserved, set by the channel`},
		{"bad header name", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"X Bad": redact.NewSecret("x")}},
			`webhook: Config.Headers: invalid header name "X Bad" (want the name alone, as "X-Api-Key", its value as the value)`},
		{"header injection", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"X-Token": redact.NewSecret("abc\r\nEvil: 1")}},
			`webhook: Config.Headers["X-Token"]: control character in value`},
		// A YAML or JSON map may hold one header under two spellings;
		// http.Header keeps one value per name, and which one the map's
		// random order picked.
		{"header given twice", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"X-Token": redact.NewSecret("tok-1"), "x-token": redact.NewSecret("tok-2")}},
			`webhook: Config.Headers["x-token"]: the same header as "X-Token" (names ignore case)`},
		// An unset environment variable gives an empty value: sent so,
		// the receiver refuses every delivery.
		{"empty header value", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"Authorization": redact.NewSecret("")}},
			`webhook: Config.Headers["Authorization"]: empty value (set it, or leave the header out)`},
		{"blank header value", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret(" \t ")}},
			`webhook: Config.Headers["X-Api-Key"]: empty value (set it, or leave the header out)`},
		{"bearer without its token", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"authorization": redact.NewSecret("Bearer ")}},
			`webhook: Config.Headers["authorization"]: an authorization scheme without its credentials`},
		{"basic without its credentials", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"Authorization": redact.NewSecret(" basic")}},
			`webhook: Config.Headers["Authorization"]: an authorization scheme without its credentials`},
		{"bare token in authorization", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"Authorization": redact.NewSecret("lin_api_0123456789")}}, ""},
		{"user agent may be replaced", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"User-Agent": redact.NewSecret("mine/2")}}, ""},
		{"user agent may be left out", Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: map[string]redact.Secret{"User-Agent": redact.NewSecret("")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg)
			if tt.err == "" {
				require.NoError(t, err)
				require.NotNil(t, ch)
				return
			}
			require.EqualError(t, err, tt.err)
			assert.Nil(t, ch)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	ch, err := New(Config{URL: redact.NewURL("https://h.example/"), Secret: testSecret("a")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	assert.Equal(t, "webhook", ch.Name())
	assert.Equal(t, DefaultConcurrency, ch.s.concurrency)
	assert.Equal(t, UserAgent, (*ch.s.header).Get("User-Agent"))
	tr, ok := ch.s.client.Transport.(*http.Transport)
	require.True(t, ok)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, DefaultConcurrency)
	assert.NotNil(t, ch.s.client.CheckRedirect, "redirects are not followed")
	// The channel bounds each request itself (see TestDefaultClientTimeout),
	// so the client adds no timer of its own.
	assert.Zero(t, ch.s.client.Timeout)
	assert.Equal(t, 15*time.Second, ch.s.timeout)
}

// The printing the conformance suite checks, and YAML, of every type a
// user holds: Config (single and many endpoints), Endpoint, Channel.
func TestNothingPrintsASecret(t *testing.T) {
	secret := testSecret("print")
	const credURL = "https://user:pass@h.example/services/T000/SECRETPATHTOKEN?token=abc"
	headers := map[string]redact.Secret{"Authorization": redact.NewSecret("Bearer tok-987")}
	cfg := Config{Name: "hooks", Endpoints: []Endpoint{{URL: redact.NewURL(credURL), Secret: secret}}, Headers: headers}
	single := Config{URL: redact.NewURL(credURL), Secret: secret, Headers: headers, HTTPClient: &http.Client{}}
	ch, err := New(cfg)
	require.NoError(t, err)
	leaks := []string{secret.Reveal(), strings.TrimPrefix(secret.Reveal(), "whsec_"), "pass", "token=abc", "tok-987",
		"SECRETPATHTOKEN", "T000"}
	printed := map[string]any{"Config": cfg, "*Config": &cfg, "single Config": single, "Channel": ch,
		"Endpoint": cfg.Endpoints[0], "*Endpoint": &cfg.Endpoints[0], "[]Endpoint": cfg.Endpoints,
		"map of Configs": map[string]Config{"a": single}}
	for name, v := range printed {
		t.Run(name, func(t *testing.T) {
			var texts []string
			for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
				texts = append(texts, fmt.Sprintf(format, v))
			}
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
			slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
			js, err := json.Marshal(v)
			require.NoError(t, err)
			ym, err := yaml.Marshal(v)
			require.NoError(t, err)
			texts = append(texts, buf.String(), string(js), string(ym))
			for _, text := range texts {
				channeltest.AssertNoSecret(t, text, leaks...)
			}
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", single), "Secret:REDACTED")
	js, err := json.Marshal(single)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"","url":"https://h.example/…?…","secret":"REDACTED","previous_secret":"",
		"endpoints":null,"allow_unsigned":false,"headers":{"Authorization":"REDACTED"},"concurrency":0}`, string(js))
}

func TestEndpointName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.example.com/services/T000/B000/XXXX", "https://hooks.example.com/…#"},
		{"https://hooks.example.com/services/T000/B000/YYYY", "https://hooks.example.com/…#"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080#"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080#"},
		{"https://h.example/?key=abc", "https://h.example?…#"},
		{"https://h.example/in?key=abc", "https://h.example/…?…#"},
		{"https://user:pw@h.example/", "https://h.example#"},
		{"https://h.example/%zz", "REDACTED"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := EndpointName(tt.in)
			if tt.want == "REDACTED" {
				assert.Equal(t, tt.want, got)
				return
			}
			assert.Regexp(t, "^"+regexp.QuoteMeta(tt.want)+"[0-9a-f]{12}$", got)
			assert.Equal(t, got, EndpointName(tt.in), "stable")
			assert.NotContains(t, got, "pw")
			if other, dup := seen[got]; dup {
				t.Errorf("%s and %s share the name %s", tt.in, other, got)
			}
			seen[got] = tt.in
		})
	}
}

// A header name New refuses is not quoted when it could show a secret: a
// curl header pasted as the name ("Authorization: Bearer …"), in Headers
// or in the URL form's "@Name=value", or a name that is a token or holds
// a header's value. The error still names Config.Headers. Before, the name
// was quoted whole.
func TestHeaderNamesQuoteNoSecret(t *testing.T) {
	const tok = "hunter2tok"
	const long = "a1b2c3d4e5f6g7h8i9j0k1"
	good := testSecret("a")
	hdr := func(h map[string]redact.Secret) Config {
		return Config{URL: redact.NewURL("https://h.example/"), Secret: good, Headers: h}
	}
	fromURL, err := ParseURL("webhook://h.example/?allow_unsigned=true&@Authorization%3A%20Bearer%20" + tok + "=1")
	require.NoError(t, err)
	for name, cfg := range map[string]Config{
		"curl header":                           hdr(map[string]redact.Secret{"Authorization: Bearer " + tok: redact.NewSecret("x")}),
		"curl header, api key":                  hdr(map[string]redact.Secret{"X-Api-Key: " + tok: redact.NewSecret("x")}),
		"curl header in URL form":               fromURL,
		"a header's value as a name":            hdr(map[string]redact.Secret{"X-Key": redact.NewSecret(tok), tok: redact.NewSecret("x\n")}),
		"a token as the name, twice":            hdr(map[string]redact.Secret{long: redact.NewSecret("x"), strings.ToUpper(long): redact.NewSecret("y")}),
		"a token as the name, control in value": hdr(map[string]redact.Secret{long: redact.NewSecret("x\n")}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			require.Error(t, err)
			channeltest.AssertNoSecret(t, err.Error(), tok, long, strings.ToUpper(long))
			assert.Contains(t, err.Error(), "webhook: Config.Headers")
		})
	}
}
