package statuspageio

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"golang.org/x/time/rate"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func validConfig() Config {
	return Config{APIKey: redact.NewSecret(testKey), PageID: testPage}
}

// New refuses a bad Config with an error naming the field, never quoting
// the key.
func TestConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.APIKey = redact.Secret{} }, "statuspageio: Config.APIKey: missing"},
		{func(c *Config) { c.APIKey = redact.NewSecret(testKey + "\r\nX-Evil: 1") },
			"statuspageio: Config.APIKey: holds white space, a control character or a character outside ASCII"},
		{func(c *Config) { c.PageID = "" }, "statuspageio: Config.PageID: missing"},
		{func(c *Config) { c.PageID = "kctb/../x" }, `statuspageio: Config.PageID: "kctb/../x" holds a character other than ASCII letters and digits (want the id in the page's API address, as "kctbh9vrtdwd")`},
		{func(c *Config) { c.PageID = strings.Repeat("a", 65) }, "statuspageio: Config.PageID: longer than 64 characters"},
		{func(c *Config) { c.BaseURL = "http://api.statuspage.io/v1" },
			"statuspageio: Config.BaseURL: must use https (http only for a loopback host)"},
		{func(c *Config) { c.BaseURL = "ftp://x/v1" }, "statuspageio: Config.BaseURL: not an absolute https URL"},
		{func(c *Config) { c.BaseURL = "https://x/v1?key=1" }, "statuspageio: Config.BaseURL: must not have a query"},
		{func(c *Config) { c.Name = " ops" }, "statuspageio: Config.Name: leading or trailing white space"},
		{func(c *Config) { c.MaintenanceWindow = -time.Minute }, "statuspageio: Config.MaintenanceWindow: negative"},
		{func(c *Config) { c.RateLimit = -1 }, "statuspageio: Config.RateLimit: negative"},
		// NaN (YAML's .nan) passed as no limit at all: x/time/rate paces
		// nothing at a rate that is not a number.
		{func(c *Config) { c.RateLimit = math.NaN() }, "statuspageio: Config.RateLimit: not a number"},
		// A Limiter of burst 0 lets no request through: every Send failed,
		// transiently, until the retries gave up.
		{func(c *Config) { c.Limiter = rate.NewLimiter(rate.Every(time.Second), 0) },
			"statuspageio: Config.Limiter: burst 0 lets no request through (want a burst of at least 1)"},
		// A Limiter of rate 0 (rate.Limit of an unset setting) lets its
		// burst through, then none: each Send after the first waited
		// until its context ended, and failed, transiently, until the
		// retries gave up.
		{func(c *Config) { c.Limiter = rate.NewLimiter(0, 1) },
			"statuspageio: Config.Limiter: rate 0: want a positive rate, as rate.Every(time.Second) (at rate 0 no request passes once the burst is spent)"},
		{func(c *Config) { c.Limiter = rate.NewLimiter(-1, 1) },
			"statuspageio: Config.Limiter: rate -1: want a positive rate, as rate.Every(time.Second) (at rate 0 no request passes once the burst is spent)"},
	} {
		cfg := validConfig()
		tt.edit(&cfg)
		_, err := New(cfg)
		if assert.Error(t, err, tt.want) {
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), testKey)
		}
	}
}

// Defaults: the name, the API's address, the window.
func TestConfigDefaults(t *testing.T) {
	ch, err := New(validConfig())
	require.NoError(t, err)
	defer ch.Close()
	assert.Equal(t, "statuspageio", ch.Name())
	assert.Equal(t, "https://api.statuspage.io/v1/pages/"+testPage, ch.s.page)
	assert.Equal(t, time.Hour, ch.s.window)
	assert.True(t, ch.s.notify)

	cfg := validConfig()
	cfg.BaseURL = "http://127.0.0.1:8080/v1/"
	ch, err = New(cfg)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/v1/pages/"+testPage, ch.s.page)
}

// A template that fails on every update fails New, not Send; a Set
// without the channel's template gets the default one.
func TestConfigTemplates(t *testing.T) {
	bad, err := templates.Default().With(Template, `{{.Body}}{{if .Corrects}}{{.NoSuchField}}{{end}}`)
	require.NoError(t, err)
	cfg := validConfig()
	cfg.Templates = bad
	_, err = New(cfg)
	require.ErrorContains(t, err, "statuspageio: Config.Templates:")

	own, err := templates.Default().With(Template, `{{.Title}}: {{.Body}}`)
	require.NoError(t, err)
	cfg.Templates = own
	ch, err := New(cfg)
	require.NoError(t, err)
	p, err := ch.Preview(fullUpdate)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.Text, "Elevated error rates on the CDN: We are investigating"), p.Text)

	// A body that shows nothing (an update that only changes the status)
	// is posted empty, not as the template's invisible characters.
	statusOnly, err := templates.Default().With(Template, "{{if .Corrects}}Corrected.{{end}}\u200b\u2060")
	require.NoError(t, err)
	cfg.Templates = statusOnly
	ch, err = New(cfg)
	require.NoError(t, err)
	p, err = ch.Preview(fullUpdate)
	require.NoError(t, err)
	assert.Equal(t, "", p.Text)
	assert.Zero(t, p.Length)
}

// The Config decodes from YAML by its tags, and prints, logs and encodes
// without the key.
func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
name: status
api_key: `+testKey+`
page_id: `+testPage+`
skip_notifications: true
maintenance_window: 2h
rate_limit: 2
`), &cfg))
	assert.Equal(t, testKey, cfg.APIKey.Reveal())
	assert.Equal(t, Config{Name: "status", APIKey: cfg.APIKey, PageID: testPage, SkipNotifications: true,
		MaintenanceWindow: 2 * time.Hour, RateLimit: 2}, cfg)
	ch, err := New(cfg)
	require.NoError(t, err)

	out, _ := yaml.Marshal(cfg)
	js, _ := json.Marshal(cfg)
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "cfg", cfg, "ch", ch)
	channeltest.AssertNoSecret(t, string(out)+string(js)+logged.String()+fmt.Sprintf("%v %+v %#v", cfg, ch, ch), testKey)
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(func() Config { c := validConfig(); c.HTTPClient = given; return c }())
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}

// A page id with the shape of a credential, or holding the API key (the
// two fields swapped, a curl header pasted), is not quoted in New's
// error, which still names the field and the form it wants. Before, it
// was quoted whole.
func TestConfigErrorsQuoteNoSecret(t *testing.T) {
	for _, id := range []string{
		testKey,
		"Authorization: OAuth " + testKey,
		"https://api.statuspage.io/v1/pages/" + testPage + "?api_key=" + testKey,
		"OAuth 5bd2f6c0a7e94d1b8c3f",
	} {
		cfg := validConfig()
		cfg.PageID = id
		_, err := New(cfg)
		require.Error(t, err, id)
		channeltest.AssertNoSecret(t, err.Error(), testKey, "5bd2f6c0a7e94d1b8c3f")
		assert.Contains(t, err.Error(), "statuspageio: Config.PageID: ", id)
	}
}
