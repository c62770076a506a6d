package endpoint

import (
	"net/url"
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
	q, _ := url.ParseQuery("name=ops+team&lang=en&lang=de,fr")
	p, err := Params("demo", q, known, "lang")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"name": "ops team", "lang": "en,de,fr"}, p)

	q, _ = url.ParseQuery("name=a&name=b")
	_, err = Params("demo", q, known, "lang")
	assert.EqualError(t, err, `demo: URL: query: "name" given 2 times`)
	q, _ = url.ParseQuery("colour=red")
	_, err = Params("demo", q, known)
	assert.EqualError(t, err, `demo: URL: query: unknown parameter "colour" (want name, lang or notify)`)
	_, err = Params("demo", q, []string{"name"})
	assert.EqualError(t, err, `demo: URL: query: unknown parameter "colour" (want name)`)
	p, err = Params("demo", nil, known)
	require.NoError(t, err)
	assert.Empty(t, p)
}

// LiteralParams keeps a "+" a plus, as a secret holds it.
func TestLiteralParams(t *testing.T) {
	known := []string{"secret", "user"}
	p, err := LiteralParams("demo", "secret=a+b%2Fc%20d&user=&&", known)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"secret": "a+b/c d", "user": ""}, p)

	for raw, want := range map[string]string{
		"secret=%zzhunter2":         "demo: URL: query secret: bad %-escape",
		"sec%zzret=hunter2":         "demo: URL: query: parameter 1: unknown name (want secret or user)",
		"user=u&&token=hunter2":     "demo: URL: query: parameter 2: unknown name (want secret or user)",
		"user=u&secrethunter2&x=1":  "demo: URL: query: parameter 2: unknown name (want secret or user)",
		"user=u&hunter2":            "demo: URL: query: parameter 2: unknown name (want secret or user)",
		"user=a&user=b":             `demo: URL: query: "user" given 2 times`,
		"secret=hunter2&%zzhunter2": "demo: URL: query: parameter 2: unknown name (want secret or user)",
	} {
		_, err := LiteralParams("demo", raw, known)
		assert.EqualError(t, err, want, raw)
		assert.NotContains(t, err.Error(), "hunter2", raw)
	}
}

func TestFormErrorf(t *testing.T) {
	assert.EqualError(t, FormErrorf("demo", "query rooms", "%d missing", 2), "demo: URL: query rooms: 2 missing")
}
