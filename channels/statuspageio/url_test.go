package statuspageio

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A URL makes a Config and back, and a Config a URL and back.
func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"statuspageio://" + "sp-7f3c9a%2F41e+Zq==d8b2e6c0" + "@" + testPage,
		"statuspageio://key123@" + testPage + "?base_url=http%3A%2F%2F127.0.0.1%3A8080%2Fv1&maintenance_window=1h30m0s&name=status&notify=no&rate_limit=2.5",
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, cfg.URL().Reveal())
	}
	for _, cfg := range []Config{
		validConfig(),
		{Name: "status page", APIKey: redact.NewSecret("a:b@c/d?e#f"), PageID: testPage, BaseURL: "https://proxy.example.com/statuspage/v1",
			SkipNotifications: true, MaintenanceWindow: 90 * time.Minute, RateLimit: 0.5},
	} {
		back, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg.APIKey.Reveal(), back.APIKey.Reveal())
		back.APIKey = cfg.APIKey
		assert.Equal(t, cfg, back)
		_, err = New(back)
		require.NoError(t, err)
	}
}

// The URL of a Config prints without the key.
func TestURLPrintsNoKey(t *testing.T) {
	u := validConfig().URL()
	assert.Equal(t, "statuspageio://"+testPage, u.String())
	channeltest.AssertNoSecret(t, fmt.Sprintf("%v %s %+v %#v %q", u, u, u, u, u), testKey)
}

// Errors name the part of the URL at fault and never quote the key.
func TestURLErrors(t *testing.T) {
	key := "sp-7f3c9a%2F41e+Zq==d8b2e6c0"
	for raw, want := range map[string]string{
		"https://" + key + "@" + testPage:                                     "statuspageio: URL: scheme: want statuspageio://<api key>@<page id>",
		"statuspageio://" + testPage:                                          "statuspageio: URL: user information: missing (the API key)",
		"statuspageio://" + key + ":x@" + testPage:                            "statuspageio: URL: user information: want the API key alone, without ':'",
		"statuspageio://" + key + "@" + testPage + "/incidents":               "statuspageio: URL: path: want none, as in statuspageio://<api key>@<page id>",
		"statuspageio://" + key + "@kctb_h9":                                  "statuspageio: URL: host: want the page id (ASCII letters and digits)",
		"statuspageio://" + key + "@" + testPage + "?notify=maybe":            "statuspageio: URL: query notify: want yes or no",
		"statuspageio://" + key + "@" + testPage + "?color=red":               `statuspageio: URL: query: unknown parameter "color" (want name, notify, maintenance_window, rate_limit or base_url)`,
		"statuspageio://" + key + "@" + testPage + "?notify=no;name=x":        `statuspageio: URL: query: parameter 1: holds ";" (separate parameters with "&", escape a ";" in a value as %3B)`,
		"statuspageio://" + key + "@" + testPage + "?name=a&name=b":           `statuspageio: URL: query: "name" given 2 times`,
		"statuspageio://" + key + "@" + testPage + "?rate_limit=0":            "statuspageio: URL: query rate_limit: want a positive number of requests a second",
		"statuspageio://" + key + "@" + testPage + "?rate_limit=NaN":          "statuspageio: URL: query rate_limit: want a positive number of requests a second",
		"statuspageio://" + key + "@" + testPage + "?base_url=ftp://x":        "statuspageio: URL: query: Config.BaseURL: not an absolute https URL",
		"statuspageio://" + key + "@" + testPage + "?maintenance_window=soon": `statuspageio: URL: query maintenance_window: want a positive duration, as "90m"`,
		"statuspageio://%zz@" + testPage:                                      "statuspageio: URL: does not parse",
	} {
		_, err := ParseURL(raw)
		if assert.Error(t, err, raw) {
			assert.Equal(t, want, err.Error(), raw)
			channeltest.AssertNoSecret(t, err.Error(), testKey)
		}
	}
}
