package googlechat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

var hookURL = "https://chat.googleapis.com/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken)

// New refuses a bad Config with an error naming the field, never quoting
// the key or the token.
func TestNewErrors(t *testing.T) {
	spaceURL := "https://chat.googleapis.com/v1/spaces/" + testSpace + "/messages"
	// Runs on the templates' own sample, which has components, not on
	// every update.
	bad, err := templates.Default().With("googlechat", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	blank, err := templates.Default().With("googlechat", "{{if not .Status.Closes}}{{.Title}}{{end}}")
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL", Config{}, `googlechat: Config.WebhookURL: missing (an absolute https URL, as "https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=…")`},
		{"not a URL", Config{WebhookURL: redact.NewURL("https://chat.googleapis.com/%zz?key=" + testKey)}, "googlechat: Config.WebhookURL: not a URL"},
		{"scheme", Config{WebhookURL: redact.NewURL("ftp" + hookURL[5:])}, `googlechat: Config.WebhookURL: not an absolute https URL, as "https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=…"`},
		{"plain http", Config{WebhookURL: redact.NewURL("http" + hookURL[5:])}, "googlechat: Config.WebhookURL: must use https (http only for a loopback host)"},
		{"user info", Config{WebhookURL: redact.NewURL("https://u:" + testToken + "@chat.googleapis.com/v1/spaces/S/messages?key=k&token=t")},
			"googlechat: Config.WebhookURL: must not hold credentials"},
		{"path", Config{WebhookURL: redact.NewURL("https://chat.googleapis.com/v1/spaces/S?key=k&token=t")}, "googlechat: Config.WebhookURL: want the path /v1/spaces/{space}/messages"},
		{"no token", Config{WebhookURL: redact.NewURL(spaceURL + "?key=" + testKey)}, "googlechat: Config.WebhookURL: want both key= and token= in the query"},
		{"empty key", Config{WebhookURL: redact.NewURL(spaceURL + "?key=&token=" + testToken)}, "googlechat: Config.WebhookURL: query key: want one value"},
		{"two tokens", Config{WebhookURL: redact.NewURL(hookURL + "&token=x")}, "googlechat: Config.WebhookURL: query token: want one value"},
		{"thread key", Config{WebhookURL: redact.NewURL(hookURL + "&threadKey=x")}, "googlechat: Config.WebhookURL: query threadKey: set by the channel, remove it"},
		{"unknown", Config{WebhookURL: redact.NewURL(hookURL + "&alt=json")}, "googlechat: Config.WebhookURL: query \"alt\": unknown, want only key and token"},
		{"bad query", Config{WebhookURL: redact.NewURL(hookURL + "&%zz")}, "googlechat: Config.WebhookURL: a badly escaped query"},
		{"name", Config{Name: "chat ", WebhookURL: redact.NewURL(hookURL)}, "googlechat: Config.Name: leading or trailing white space"},
		{"templates", Config{WebhookURL: redact.NewURL(hookURL), Templates: bad}, "googlechat: Config.Templates: templates: render googlechat: " +
			"template: googlechat:1:3: executing \"googlechat\" at <index .Components 0>: error calling index: reflect: slice index out of range"},
		// Google refuses a message with neither text nor card, every time.
		{"no text and no card", Config{WebhookURL: redact.NewURL(hookURL), NoCard: true, Templates: blank},
			`googlechat: Config.Templates: templates: the text shows nothing: template "googlechat" rendered only white space for status resolved, ` +
				"and Config.NoCard leaves out the card"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg)
			assert.Nil(t, ch)
			require.EqualError(t, err, tt.want)
			channeltest.AssertNoSecret(t, err.Error(), testKey, testToken)
		})
	}
}

// Config prints, logs and encodes without the key and token; YAML decodes
// into it by its documented keys.
func TestConfigEncoding(t *testing.T) {
	cfg := Config{WebhookURL: redact.NewURL(hookURL), NoCard: true}
	j, err := json.Marshal(cfg)
	require.NoError(t, err)
	y, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	for _, out := range []string{string(j), string(y), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.URL())} {
		channeltest.AssertNoSecret(t, out, testKey, testToken)
	}
	assert.Contains(t, string(j), `"webhook_url":"https://chat.googleapis.com/…?…"`)

	var got Config
	require.NoError(t, yaml.Unmarshal([]byte("name: ops-chat\nwebhook_url: "+hookURL+"\nno_card: true\n"), &got))
	assert.Equal(t, Config{Name: "ops-chat", WebhookURL: redact.NewURL(hookURL), NoCard: true}, got)
}

// A channel URL gives back its Config, and a Config its URL (whose query is
// in the canonical order, sorted by name).
func TestURLRoundTrip(t *testing.T) {
	short := "googlechat://chat.googleapis.com/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken)
	for _, raw := range []string{
		short,
		"googlechat://chat.googleapis.com/v1/spaces/" + testSpace + "/messages?card=no&key=" + testKey + "&name=ops-chat&token=" +
			url.QueryEscape(testToken),
		"googlechat://127.0.0.1:8080/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&tls=no&token=" + url.QueryEscape(testToken),
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
		again, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, again, "Config → URL → Config")
		_, err = New(cfg)
		assert.NoError(t, err)
	}
	cfg, err := ParseURL(short + "&card=no")
	require.NoError(t, err)
	assert.Equal(t, Config{WebhookURL: redact.NewURL(hookURL), NoCard: true}, cfg)
	assert.Equal(t, "googlechat://chat.googleapis.com/…?…", fmt.Sprint(cfg.URL()))
	assert.Equal(t, redact.NewURL(""), Config{}.URL())
}

// ParseURL names the part of the URL at fault, never quoting the key or
// the token.
func TestParseURLErrors(t *testing.T) {
	short := "googlechat://chat.googleapis.com/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken)
	for _, tt := range []struct{ raw, want string }{
		{hookURL, "googlechat: URL: scheme: want googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN"},
		{short + "&card=maybe", "googlechat: URL: query card: want yes or no"},
		{short + "&tls=no&tls=yes", `googlechat: URL: query: "tls" given 2 times`},
		// A name given empty is a value lost, not a wish for the default.
		{short + "&name=", `googlechat: URL: query name: empty (write the channel's name, or leave name out for the default)`},
		{short + "&threadKey=x", "googlechat: URL: query threadKey: set by the channel, remove it"},
		{"googlechat://chat.googleapis.com/v1/spaces/" + testSpace + "/messages?key=" + testKey, "googlechat: URL: want both key= and token= in the query"},
		{"googlechat://chat.googleapis.com/v2/x?key=" + testKey + "&token=t", "googlechat: URL: want the path /v1/spaces/{space}/messages"},
		{short + "&name=+x", "googlechat: URL: query name: leading or trailing white space"},
		{"googlechat://%zz", "googlechat: URL: does not parse"},
		{short + "&%zz", "googlechat: URL: query: does not parse"},
	} {
		_, err := ParseURL(tt.raw)
		assert.EqualError(t, err, tt.want, tt.raw)
		if err != nil {
			channeltest.AssertNoSecret(t, err.Error(), testKey, testToken)
		}
	}
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(Config{WebhookURL: redact.NewURL(hookURL), HTTPClient: given})
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}

// A key or token pasted without its "key=" or "token=" is a query
// parameter's name: the error says a parameter is unknown without quoting
// it, as it is the credential itself. Before, the error quoted it whole.
// So is the rest of a key or token after a "&" not %-escaped, a name
// without a value. Short names with a value, which are parameters, are
// still quoted.
func TestUnknownParameterThatIsACredentialIsNotQuoted(t *testing.T) {
	spaceURL := "https://chat.googleapis.com/v1/spaces/" + testSpace + "/messages"
	for _, raw := range []string{
		spaceURL + "?key=" + testKey + "&" + url.QueryEscape(testToken),
		spaceURL + "?" + testKey + "&token=" + url.QueryEscape(testToken),
		spaceURL + "?key=" + testKey[:29] + "&" + testKey[29:] + "&token=" + url.QueryEscape(testToken),
	} {
		_, err := New(Config{WebhookURL: redact.NewURL(raw)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "googlechat: Config.WebhookURL: query: a parameter of ")
		channeltest.AssertNoSecret(t, err.Error(), testKey, testToken, testKey[29:])
		_, err = ParseURL("googlechat" + raw[len("https"):])
		require.Error(t, err)
		assert.Contains(t, err.Error(), "googlechat: URL: query: a parameter of ")
		channeltest.AssertNoSecret(t, err.Error(), testKey, testToken, testKey[29:])
	}
}
