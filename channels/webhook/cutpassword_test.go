package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A password that starts with digits, its "/", "?" or "#" not %-escaped,
// ends the URL's authority there: url.Parse reads the user name as the
// host and the digits as its port, and the rest of the password, with
// the real host, as the path, query or fragment. Parsed, the channel
// would post the rest of the password to that host, and a dial error
// would quote the port. The error names the port and quotes none of it.
func TestParseURLRefusesPasswordCutAfterDigits(t *testing.T) {
	for raw, part := range map[string]string{
		"webhook://user:7319/hunter2@hooks.example.com/in?secret=" + urlSecret:          "path",
		"webhook://user:7319/hunter2@hooks.example.com/in":                              "path",
		"webhook://:7319/hunter2@hooks.example.com/in?allow_unsigned=true":              "path",
		"webhook+http://user:7319/hunter2@127.0.0.1:8090/in?allow_unsigned=true":        "path",
		"webhook://user:7319?hunter2@hooks.example.com/in?secret=" + urlSecret:          "query",
		"webhook://user:7319?hunter2=x@hooks.example.com/in?secret=" + urlSecret:        "query",
		"webhook://user:7319?@Hunter2@hooks.example.com/in?secret=" + urlSecret:         "query",
		"webhook://user:7319?hunter2&@X=y@hooks.example.com/in?secret=" + urlSecret:     "query",
		"webhook://user:7319#hunter2@hooks.example.com/in?secret=" + urlSecret:          "fragment",
		"webhook://user:7319hunter2#@hooks.example.com/in?allow_unsigned=true":          "", // does not parse
		"webhook://user:73194628501937465820/@hooks.example.com/in?allow_unsigned=true": "path",
	} {
		_, err := ParseURL(raw)
		if !assert.Error(t, err, raw) {
			continue
		}
		if part == "" {
			assert.EqualError(t, err, "webhook: URL: does not parse as a URL", raw)
		} else {
			assert.Contains(t, err.Error(), `webhook: URL: port: followed by a `+part+` holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the `+part+`, %40)`, raw)
		}
		for _, piece := range []string{"7319", "hunter2", "Hunter2", "4628"} {
			assert.NotContains(t, err.Error(), piece, raw)
		}
	}
}

// What the check refuses is only a port and an "@" after it, without user
// information: a port with a path, an "@" written %40, an "@" with user
// information or without a port, and the "@" of a header parameter all
// parse as before.
func TestParseURLKeepsItsAtSigns(t *testing.T) {
	for raw, want := range map[string]string{
		"webhook://hooks.example.com:8443/in?secret=" + urlSecret:                          "https://hooks.example.com:8443/in",
		"webhook://hooks.example.com:8443/in%40ops?secret=" + urlSecret:                    "https://hooks.example.com:8443/in%40ops",
		"webhook://hooks.example.com:8443/in?to=ops%40example.com&secret=" + urlSecret:     "https://hooks.example.com:8443/in?to=ops%40example.com",
		"webhook://user:pw@hooks.example.com:8443/in@ops?secret=" + urlSecret:              "https://user:pw@hooks.example.com:8443/in@ops",
		"webhook://user:7319%2Fhunter2@hooks.example.com:8443/in?secret=" + urlSecret:      "https://user:7319%2Fhunter2@hooks.example.com:8443/in",
		"webhook://hooks.example.com/in@ops?to=ops@example.com&secret=" + urlSecret:        "https://hooks.example.com/in@ops?to=ops@example.com",
		"webhook+http://127.0.0.1:8090/in?allow_unsigned=true&@Authorization=Bearer%20tok": "http://127.0.0.1:8090/in",
	} {
		cfg, err := ParseURL(raw)
		if !assert.NoError(t, err, raw) {
			continue
		}
		assert.Equal(t, want, cfg.URL.Reveal(), raw)
		_, err = New(cfg)
		require.NoError(t, err, raw)
	}
}

// An "@" written %40 in the path reaches the endpoint as the path the
// user wrote.
func TestParseURLEscapedAtReachesThePath(t *testing.T) {
	got := make(chan [2]string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got <- [2]string{r.URL.Path, r.URL.EscapedPath()}
	}))
	t.Cleanup(srv.Close)
	raw := "webhook+http://" + strings.TrimPrefix(srv.URL, "http://") + "/hooks/ops%40example.com/in?allow_unsigned=true"
	cfg, err := ParseURL(raw)
	require.NoError(t, err)
	ch := newTestChannel(t, cfg, nil)
	_, err = ch.Send(context.Background(), msg(fullUpdate, nil))
	require.NoError(t, err)
	assert.Equal(t, [2]string{"/hooks/ops@example.com/in", "/hooks/ops%40example.com/in"}, <-got)
}

// ChannelURL writes an "@" after a port, without user information, as
// %40, which ParseURL reads back: the same endpoint, where "@" would be
// refused as what a cut password leaves.
func TestChannelURLEscapesAtAfterAPort(t *testing.T) {
	cfg := Config{URL: redact.NewURL("https://hooks.example.com:8443/in@ops?to=ops@example.com#at@x"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"From": redact.NewSecret("ops@example.com")}}
	back, err := ParseURL(cfg.ChannelURL().Reveal())
	require.NoError(t, err)
	assert.Equal(t, "https://hooks.example.com:8443/in%40ops?to=ops%40example.com#at%40x", back.URL.Reveal())
	want, err := url.Parse(cfg.URL.Reveal())
	require.NoError(t, err)
	got, err := url.Parse(back.URL.Reveal())
	require.NoError(t, err)
	assert.Equal(t, want.Path, got.Path)
	assert.Equal(t, want.Query(), got.Query())
	assert.Equal(t, want.Fragment, got.Fragment)
	assert.Equal(t, "ops@example.com", back.Headers["From"].Reveal())
	// With user information, or without a port, the URL is written as is.
	for _, raw := range []string{"https://user:pw@hooks.example.com:8443/in@ops", "https://hooks.example.com/in@ops?to=ops@example.com"} {
		cfg := Config{URL: redact.NewURL(raw), AllowUnsigned: true}
		back, err := ParseURL(cfg.ChannelURL().Reveal())
		require.NoError(t, err, raw)
		assert.Equal(t, raw, back.URL.Reveal())
	}
}
