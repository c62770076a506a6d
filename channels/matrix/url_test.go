package matrix

import (
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want Config
	}{
		{"matrix://:syt_abc@matrix.example.org/?rooms=!abc:example.org,%23ops:example.org",
			Config{Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret("syt_abc"),
				Rooms: []string{"!abc:example.org", "#ops:example.org"}}},
		{"matrix+http://bot:syt_abc@127.0.0.1:8008?rooms=%21abc%3Aexample.org&name=ops&notice=yes",
			Config{Name: "ops", Homeserver: "http://127.0.0.1:8008", AccessToken: redact.NewSecret("syt_abc"),
				Rooms: []string{"!abc:example.org"}, Notice: true}},
		{"matrix://syt_abc@example.org/matrix/?rooms=!a:x&rooms=!b:x,,&notice=no",
			Config{Homeserver: "https://example.org/matrix", AccessToken: redact.NewSecret("syt_abc"), Rooms: []string{"!a:x", "!b:x"}}},
		{"matrix://:" + "syt%2Fa%2Bb%3D@example.org?rooms=%23a%2Cb:x",
			Config{Homeserver: "https://example.org", AccessToken: redact.NewSecret("syt/a+b="), Rooms: []string{"#a,b:x"}}},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			cfg, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
			_, err = New(cfg)
			assert.NoError(t, err)
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	const tok = "syt_s3cr3t/t0k+n="
	esc := "syt_s3cr3t%2Ft0k%2Bn%3D"
	for _, tt := range []struct{ raw, want string }{
		{"matrix://:" + esc + "@host\x7f/?rooms=!a:x", "matrix: URL: does not parse"},
		{"https://:" + esc + "@example.org/?rooms=!a:x", "matrix: URL: scheme: want matrix:// (or matrix+http:// for plain http to a loopback host)"},
		{"matrix:" + esc, "matrix: URL: host: missing"},
		{"matrix://example.org/?rooms=!a:x", "matrix: URL: user information: no access token"},
		{"matrix://:" + esc + "@example.org/?rooms=#ops:x", "matrix: URL: fragment: not allowed (escape the \"#\" of an alias as %23)"},
		{"matrix://:" + esc + "@example.org/?room=!a:x", `matrix: URL: query: unknown parameter "room" (want rooms, name or notice)`},
		{"matrix://:" + esc + "@example.org/?rooms=!a:x&notice=" + esc, "matrix: URL: query notice: want yes or no"},
		{"matrix://:" + esc + "@example.org/?name=x", "matrix: URL: query rooms: missing"},
		{"matrix://:" + esc + "@example.org/?rooms=%zz", "matrix: URL: query rooms: does not parse"},
		{"matrix://:" + esc + "@example.org/?rooms=!a:x&name=%zz" + esc, "matrix: URL: query name: does not parse"},
		// A name given empty is a value lost, not a wish for the default.
		{"matrix://:" + esc + "@example.org/?rooms=!a:x&name=", "matrix: URL: query name: empty (write the channel's name, or leave name out for the default)"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			require.EqualError(t, err, tt.want)
			channeltest.AssertNoSecret(t, err.Error(), tok)
		})
	}
}

// URL → Config → URL and Config → URL → Config give back what they began
// with; the URL prints without the token.
func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"matrix://:syt_abc@matrix.example.org/?rooms=!abc:example.org,%23ops:example.org",
		"matrix+http://:syt%2Fa+b=@127.0.0.1:8008/?rooms=%23a%2Cb:x&name=ops+matrix&notice=yes",
		"matrix://:tok@example.org/matrix?rooms=!a:x",
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
	}
	for _, cfg := range []Config{
		{Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret(confToken), Rooms: confTargets},
		{Name: "ops, status", Homeserver: "http://[::1]:8008/base", AccessToken: redact.NewSecret("a@b:c#d?e&f"), Rooms: []string{"#a,b:x", "!c:y"}, Notice: true},
	} {
		u := cfg.URL()
		back, err := ParseURL(u.Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, back, "Config → URL → Config through %s", u.Reveal())
		for _, verb := range []string{"%v", "%s", "%q", "%#v"} {
			channeltest.AssertNoSecret(t, fmt.Sprintf(verb, u), cfg.AccessToken.Reveal())
		}
	}
	assert.Equal(t, "matrix://matrix.example.org?…",
		Config{Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret(confToken), Rooms: confTargets}.URL().String())
	assert.Empty(t, Config{Homeserver: "::"}.URL().Reveal())
}
