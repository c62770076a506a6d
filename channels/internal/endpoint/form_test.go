package endpoint

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchemes(t *testing.T) {
	s := Schemes("demo")
	for scheme, want := range map[string]string{"demo": "https", "demo+http": "http", "https": "", "demo+https": "", "": ""} {
		web, ok := s.Web(scheme)
		assert.Equal(t, want, web, scheme)
		assert.Equal(t, want != "", ok, scheme)
	}
	assert.Equal(t, "demo", s.Form("https"))
	assert.Equal(t, "demo+http", s.Form("http"))
}

// One rule for yes-or-no parameters, the union of the adapters' words but
// strconv's "t" and "f".
func TestParseBool(t *testing.T) {
	for _, v := range []string{"yes", "YES", "on", "true", "True", "1"} {
		b, err := ParseBool(v)
		require.NoError(t, err, v)
		assert.True(t, b, v)
	}
	for _, v := range []string{"no", "Off", "false", "FALSE", "0"} {
		b, err := ParseBool(v)
		require.NoError(t, err, v)
		assert.False(t, b, v)
	}
	for _, v := range []string{"", "t", "f", "maybe", "2"} {
		_, err := ParseBool(v)
		assert.EqualError(t, err, "want yes or no", v)
	}
}

// Parse reads the prologue every channel URL with a scheme pair shares.
func TestSchemesParse(t *testing.T) {
	s := Schemes("demo")
	u, web, err := s.Parse("demo", "demo+http://tok@127.0.0.1:8080/x?a=1")
	require.NoError(t, err)
	assert.Equal(t, "http", web)
	assert.Equal(t, "127.0.0.1:8080", u.Host)
	_, web, err = s.Parse("demo", "DEMO://tok@example.com")
	require.NoError(t, err)
	assert.Equal(t, "https", web)

	for raw, want := range map[string]string{
		"demo://%zz@example.com":       "demo: URL: does not parse",
		"https://tok@example.com":      "demo: URL: scheme: want demo:// (or demo+http:// for plain http to a loopback host)",
		"demo+https://tok@example.com": "demo: URL: scheme: want demo:// (or demo+http:// for plain http to a loopback host)",
		"demo://tok@":                  "demo: URL: host: missing",
		"demo:tok":                     "demo: URL: host: missing",
	} {
		_, _, err := s.Parse("demo", raw)
		assert.EqualError(t, err, want, raw)
		assert.NotContains(t, err.Error(), "tok", raw)
	}
}

// One rule for the query of a channel URL: known parameters once each,
// those that are lists repeated or comma-separated.
func TestParams(t *testing.T) {
	known := []string{"name", "lang", "notify"}
	p, err := Params("demo", "name=ops+team&lang=en&lang=de,fr", known, "lang")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"name": "ops team", "lang": "en,de,fr"}, p)

	_, err = Params("demo", "name=a&name=b", known, "lang")
	assert.EqualError(t, err, `demo: URL: query: "name" given 2 times`)
	_, err = Params("demo", "colour=red", known)
	assert.EqualError(t, err, `demo: URL: query: unknown parameter "colour" (want name, lang or notify)`)
	_, err = Params("demo", "colour=red", []string{"name"})
	assert.EqualError(t, err, `demo: URL: query: unknown parameter "colour" (want name)`)
	// A name given empty is a mistake (a value lost), as a configuration
	// file's name: "" is; before, it quietly gave the default name.
	for _, q := range []string{"name=", "name", "lang=en&name="} {
		_, err = Params("demo", q, known, "lang")
		assert.EqualError(t, err, `demo: URL: query name: empty (write the channel's name, or leave name out for the default)`, q)
		_, err = LiteralParams("demo", q, known, "lang")
		assert.EqualError(t, err, `demo: URL: query name: empty (write the channel's name, or leave name out for the default)`, q)
	}
	_, err = Params("demo", "lang=", known)
	require.NoError(t, err, "other parameters may be empty")
	for range 20 { // the same URL, the same error on every run, naming every parameter refused
		p, err := Params("demo", "zeta=1&colour=red&alpha=2&name=a&name=b&lang=en", known)
		assert.EqualError(t, err, `demo: URL: query: unknown parameter "alpha" (want name, lang or notify)`+"\n"+
			`demo: URL: query: unknown parameter "colour" (want name, lang or notify)`+"\n"+
			`demo: URL: query: "name" given 2 times`+"\n"+
			`demo: URL: query: unknown parameter "zeta" (want name, lang or notify)`)
		assert.Equal(t, map[string]string{"lang": "en"}, p, "those that passed")
	}
	// Nor a name that may be part of a secret: a value or a password
	// with a "&" or "?" not %-escaped.
	for _, raw := range []string{"name=a&Hunter2", "name=xoxb-&hunter2", "hunter2@host/ops", "hunter-2=x", "HUNTER=x", "name=a&hunter", "hunter="} {
		_, err = Params("demo", raw, known)
		assert.EqualError(t, err, `demo: URL: query: unknown parameter (want name, lang or notify; `+
			`a "&", "?" or "#" in a value or password is written %26, %3F or %23)`, raw)
		assert.NotContains(t, strings.ToLower(err.Error()), "hunter", raw)
	}
	p, err = Params("demo", "", known)
	require.NoError(t, err)
	assert.Empty(t, p)
	_, err = Params("demo", "name=ops&lang=%zz", known)
	assert.EqualError(t, err, `demo: URL: query: parameter 2: bad %-escape`)
}

// A parameter that url.URL.Query would drop without a word is an error
// instead: the URL would work without the setting it was written with.
func TestQuery(t *testing.T) {
	q, err := Query("demo", "a=1+2&&b=%3B&a=x")
	require.NoError(t, err)
	assert.Equal(t, url.Values{"a": {"1 2", "x"}, "b": {";"}}, q)
	for raw, want := range map[string]string{
		"base_url=%":         "demo: URL: query: parameter 1: bad %-escape",
		"name=ops&na%zzme=x": "demo: URL: query: parameter 2: bad %-escape",
		"name=ops;lang=en":   `demo: URL: query: parameter 1: holds ";" (separate parameters with "&", escape a ";" in a value as %3B)`,
	} {
		u, err := url.Parse("demo://host/?" + raw)
		require.NoError(t, err)
		require.Less(t, len(u.Query()), strings.Count(raw, "="), "url.URL.Query drops it: %s", raw)
		_, err = Query("demo", raw)
		assert.EqualError(t, err, want, raw)
	}
}

// LiteralParams keeps a "+" a plus, as a secret holds it.
func TestLiteralParams(t *testing.T) {
	known := []string{"secret", "user"}
	p, err := LiteralParams("demo", "secret=a+b%2Fc%20d&user=&&", known)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"secret": "a+b/c d", "user": ""}, p)

	for raw, want := range map[string]string{
		"secret=%zzhunter2":     "demo: URL: query secret: bad %-escape",
		"sec%zzret=hunter2":     "demo: URL: query: parameter 1: unknown name (want secret or user)",
		"user=u&&token=hunter2": "demo: URL: query: parameter 2: unknown name (want secret or user)",
		"user=u&secrethunter2&x=1": "demo: URL: query: parameter 2: unknown name (want secret or user)\n" +
			"demo: URL: query: parameter 3: unknown name (want secret or user)",
		"user=u&hunter2":            "demo: URL: query: parameter 2: unknown name (want secret or user)",
		"user=a&user=b":             `demo: URL: query: "user" given 2 times`,
		"secret=hunter2&%zzhunter2": "demo: URL: query: parameter 2: unknown name (want secret or user)",
	} {
		_, err := LiteralParams("demo", raw, known)
		assert.EqualError(t, err, want, raw)
		assert.NotContains(t, err.Error(), "hunter2", raw)
	}
}

// LiteralParams names every parameter it refuses, in the query's order,
// and returns those that passed beside its error, as Params does, so that
// SetParams names their faults too: before, it stopped at the first
// unknown name or bad %-escape and returned no map.
func TestLiteralParamsNamesEveryFault(t *testing.T) {
	known := []string{"secret", "user", "lang"}
	for range 20 {
		p, err := LiteralParams("demo", "colour=red&secret=%zzhunter2&user=a&hunter2&lang=en&user=b", known)
		assert.EqualError(t, err, "demo: URL: query: parameter 1: unknown name (want secret, user or lang)\n"+
			"demo: URL: query secret: bad %-escape\n"+
			"demo: URL: query: parameter 4: unknown name (want secret, user or lang)\n"+
			`demo: URL: query: "user" given 2 times`)
		assert.Equal(t, map[string]string{"lang": "en"}, p, "those that passed")
	}
}

// A scheme is quoted only if written as one, before "://".
func TestSchemePart(t *testing.T) {
	for raw, want := range map[string]string{
		"https://example.com": `scheme "https"`, "HTTPS://example.com": `scheme "https"`,
		"hunter2:x@example.com": "scheme", "Hunter2:": "scheme", "mailto:a@example.com": "scheme", "example.com": "scheme",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, SchemePart(raw, u.Scheme), raw)
	}
}

func TestFormErrorf(t *testing.T) {
	assert.EqualError(t, FormErrorf("demo", "query rooms", "%d missing", 2), "demo: URL: query rooms: 2 missing")
}

// CutPassword refuses what a "/", "?" or "#" in a password, not
// %-escaped, leaves of a URL: an empty port, or a port (the digits the
// password starts with) before a path, query or fragment holding the
// "@" of the user information. It names the port and quotes nothing.
func TestCutPassword(t *testing.T) {
	header := func(k, v string) bool { return strings.HasPrefix(k, "@") && !strings.Contains(k[1:]+v, "@") }
	for _, tt := range []struct {
		raw  string
		own  func(k, v string) bool
		want string // "" for none
	}{
		{"webhook://user:?pa55@hooks.example.com/in", nil, `port: empty (a "/", "?" or "#" in a password is written %2F, %3F or %23)`},
		{"ircs://bot:/pa55@irc.example.com/ops", nil, "port: empty"},
		{"webhook://user:7319/pa55@hooks.example.com/in", nil, `port: followed by a path holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the path, %40)`},
		{"webhook://:7319/pa55@hooks.example.com/in", nil, `port: followed by a path holding "@"`},
		{"webhook://user:7319?pa55@hooks.example.com/in", nil, `port: followed by a query holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the query, %40)`},
		{"webhook://user:7319?pa55=x@hooks.example.com/in", header, `port: followed by a query holding "@"`},
		{"webhook://user:7319?@pa55@hooks.example.com/in", header, `port: followed by a query holding "@"`},
		{"webhook://user:7319#pa55@hooks.example.com/in", nil, `port: followed by a fragment holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the fragment, %40)`},
		{"webhook://user:pa55@hooks.example.com/in", nil, ""},
		{"webhook://hooks.example.com:8443/in", nil, ""},
		{"webhook://hooks.example.com/in", nil, ""},
		{"webhook://hooks.example.com/in@x?a=b@c#d@e", nil, ""},
		{"webhook://hooks.example.com:8443/in%40x?a=b%40c#d%40e", nil, ""},
		{"webhook://user:pa55@hooks.example.com:8443/in@x?a=b@c#d@e", nil, ""},
		{"webhook://hooks.example.com:8443/in?@X-Token=tok&secret=x", header, ""},
		{"smtp://smtp.example.com:587/?from=s@example.com&to=a@example.com", func(k, _ string) bool { return k == "from" || k == "to" }, ""},
	} {
		u, err := url.Parse(tt.raw)
		require.NoError(t, err)
		err = CutPassword("webhook", u, tt.own)
		if tt.want == "" {
			assert.NoError(t, err, tt.raw)
			continue
		}
		require.Error(t, err, tt.raw)
		assert.Contains(t, err.Error(), "webhook: URL: "+tt.want, tt.raw)
		assert.NotContains(t, err.Error(), "pa55", tt.raw)
		assert.NotContains(t, err.Error(), "7319", tt.raw)
	}
}

// PartError names the part of a channel URL that gave a URL Check
// refused, with Check's problem; another error passes as it is.
func TestPartError(t *testing.T) {
	_, err := Base("demo", "BaseURL", "https://u:hunter2@api.example.com", Rules{})
	assert.EqualError(t, PartError("demo", "query base_url", err), "demo: URL: query base_url: must not hold credentials")
	other := errors.New("demo: other")
	assert.Equal(t, other, PartError("demo", "query base_url", other))
}
