package twitter_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/redact"
)

const urlSecret = "cs+9/zz=Q"

func urlConfig(base string) twitter.Config {
	return twitter.Config{ConsumerKey: redact.NewSecret("ck-1"), ConsumerSecret: redact.NewSecret(urlSecret),
		AccessToken: redact.NewSecret("123-at"), AccessSecret: redact.NewSecret("as-2"), BaseURL: base}
}

// reveal lists the credentials and BaseURL of c, to compare Configs.
func reveal(c twitter.Config) []string {
	return []string{c.ConsumerKey.Reveal(), c.ConsumerSecret.Reveal(), c.AccessToken.Reveal(), c.AccessSecret.Reveal(), c.BaseURL, c.Name}
}

func TestParseURL(t *testing.T) {
	cfg, err := twitter.ParseURL("x://api.x.com?consumer_key=ck-1&consumer_secret=cs+9/zz%3DQ&access_token=123-at&access_secret=as-2")
	require.NoError(t, err)
	assert.Equal(t, reveal(urlConfig("")), reveal(cfg), `"+" and "/" stand for themselves`)
	_, err = twitter.New(cfg)
	require.NoError(t, err, "New takes what ParseURL returns")

	local, err := twitter.ParseURL("x://127.0.0.1:8080?base_url=http://127.0.0.1:8080")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080", local.BaseURL)
	other, err := twitter.ParseURL("x://api.example.com")
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", other.BaseURL)
}

// A missing "=" makes the secret part of a parameter's name: the error
// names the parameter by its position, never by its name.
func TestParseURLNeverQuotesAnUnknownName(t *testing.T) {
	const secretValue = "Zx9Q7Lw2Pq5Vt8Rk3Mn6Bj1Hc4Df0Gs"
	for _, raw := range []string{
		"x://api.x.com?consumer_key=ck1234567890&consumer_secret" + secretValue + "&access_token=at1234567890&access_secret=as1234567890",
		"x://api.x.com?consumer_key=ck1234567890&" + secretValue + "&access_token=at1234567890",
		"x://api.x.com?consumer_key=ck1234567890&consumer_secret%3D" + secretValue,
	} {
		_, err := twitter.ParseURL(raw)
		require.Error(t, err, raw)
		assert.Equal(t, "twitter: URL: query: parameter 2: unknown name "+
			"(want consumer_key, consumer_secret, access_token, access_secret or base_url)", err.Error())
		channeltest.AssertNoSecret(t, err.Error(), secretValue)
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, base := range []string{"", "https://api.x.com", "https://api.example.com", "http://127.0.0.1:8080", "https://api.example.com/v2"} {
		cfg := urlConfig(base)
		back, err := twitter.ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, reveal(cfg), reveal(back), "Config → URL → Config: %s", base)
	}
	for _, raw := range []string{
		"x://api.x.com?consumer_key=ck-1&consumer_secret=cs%2B9%2Fzz%3DQ&access_token=123-at&access_secret=as-2",
		"x://127.0.0.1:8080?consumer_key=k&base_url=http%3A%2F%2F127.0.0.1%3A8080",
	} {
		cfg, err := twitter.ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
	}
	assert.Equal(t, "x://api.x.com?…", urlConfig("").URL().String(), "prints without the credentials")
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"twitter://api.x.com", `twitter: URL: scheme "twitter": want x://`},
		{"x://api.x.com/ck-1/" + urlSecret, "twitter: URL: path: want none (credentials go in the query)"},
		{"x://api.x.com?bearer=" + urlSecret, "twitter: URL: query: parameter 1: unknown name (want consumer_key, consumer_secret, access_token, access_secret or base_url)"},
		{"x://api.x.com?consumer_secret=%zz" + urlSecret, "twitter: URL: query consumer_secret: bad %-escape"},
		{"x://api.x.com?access_token=a&access_token=b", `twitter: URL: query: "access_token" given 2 times`},
		// The Config keeps base_url as a plain string, which prints.
		{"x://api.x.com?base_url=https://proxy:hunter2pw@api.example.com", "twitter: URL: query base_url: must not hold credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := twitter.ParseURL(tt.raw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), urlSecret)
			assert.NotContains(t, err.Error(), "hunter2pw")
		})
	}
}

// User information in the host is never a credential of the short form:
// it is refused, naming the part, rather than dropped without a word (the
// Config would then lack what it was written with, or quietly take the
// host after the "@"), and the error quotes neither name nor password.
func TestParseURLRefusesUserInfo(t *testing.T) {
	const pass = "pw-Zq9+x=Q"
	for _, raw := range []string{
		"x://ck-1:" + pass + "@api.x.com?access_token=123-at&access_secret=as-2",
		"x://api.x.com:" + pass + "@api.example.com?consumer_key=ck-1",
		"x://" + pass + "@api.x.com",
		"x://@api.x.com",
	} {
		_, err := twitter.ParseURL(raw)
		require.Error(t, err, raw)
		assert.Equal(t, "twitter: URL: user information: not allowed (credentials go in the query)", err.Error())
		channeltest.AssertNoSecret(t, err.Error(), pass)
	}
}

// An unescaped "#" in a secret starts a fragment, which url.Parse takes
// out of the query: the secret would be cut short without a word, and X
// would refuse it at the first post. It is refused, without quoting it.
func TestParseURLRefusesAFragment(t *testing.T) {
	_, err := twitter.ParseURL("x://api.x.com?consumer_key=ck-1&consumer_secret=cs#9zzQ&access_token=123-at&access_secret=as-2")
	require.Error(t, err)
	assert.Equal(t, `twitter: URL: fragment: not allowed (escape a "#" in a value as %23)`, err.Error())
	channeltest.AssertNoSecret(t, err.Error(), "9zzQ")
}

// A query LiteralParams refuses a parameter of does not keep base_url's
// fault untold: before, ParseURL returned at LiteralParams' error, which
// names every fault of the query and the parameters that passed, and
// base_url's fault came only once the query was mended.
func TestParseURLNamesBaseURLFaultWithQueryFaults(t *testing.T) {
	_, err := twitter.ParseURL("x://api.x.com?consumer_key=ck-1&consumer_secret" + urlSecret +
		"&base_url=https://proxy:hunter2pw@api.example.com")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "twitter: URL: query: parameter 2: unknown name (want ")
	assert.Contains(t, err.Error(), "twitter: URL: query base_url: must not hold credentials")
	assert.NotContains(t, err.Error(), urlSecret)
	assert.NotContains(t, err.Error(), "hunter2pw")
}
