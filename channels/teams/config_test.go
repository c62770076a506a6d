package teams

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// teamsTemplate is the default set with text as its "teams" template.
func teamsTemplate(t *testing.T, text string) *templates.Set {
	t.Helper()
	set, err := templates.Default().With(Template, text)
	require.NoError(t, err)
	return set
}

// Bad configurations are refused with an error naming the field, never
// quoting the URL.
func TestNewErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "teams: Config.WebhookURL: missing"},
		{Config{WebhookURL: redact.NewURL("prod-42.westeurope.logic.azure.com/workflows/" + workflowID)}, "teams: Config.WebhookURL: not an absolute https URL"},
		{Config{WebhookURL: redact.NewURL("http://prod-42.westeurope.logic.azure.com" + triggerPath + "?" + triggerQuery)}, "teams: Config.WebhookURL: must use https (http only for a loopback host)"},
		{Config{WebhookURL: redact.NewURL("https://prod-42.westeurope.logic.azure.com/?" + triggerQuery)}, "teams: Config.WebhookURL: has no path"},
		{Config{WebhookURL: redact.NewURL(testURL + "#x")}, "teams: Config.WebhookURL: must not have a fragment"},
		{Config{WebhookURL: redact.NewURL(testURL + "%zz")}, "teams: Config.WebhookURL: a badly escaped query"},
		{Config{WebhookURL: redact.NewURL("https://contoso.webhook.office.com/webhookb2/" + workflowID + "/IncomingWebhook/" + workflowSig)},
			"teams: Config.WebhookURL: an Office 365 connector's URL: those connectors are retired"},
		{Config{Name: "ops ", WebhookURL: redact.NewURL(testURL)}, "teams: Config.Name: leading or trailing white space"},
		// A card without text: Teams' 202 would have counted it as
		// posted. For every status, and for a correction only.
		{Config{WebhookURL: redact.NewURL(testURL), Templates: teamsTemplate(t, " ")}, "teams: Config.Templates: "},
		{Config{WebhookURL: redact.NewURL(testURL), Templates: teamsTemplate(t, "{{if not .Corrects}}{{.Title}}{{end}}")},
			"teams: Config.Templates: "},
		{Config{WebhookURL: redact.NewURL(testURL), Templates: teamsTemplate(t, "{{if ne .Status \"resolved\"}}{{.Title}}{{end}}")},
			`templates: the text shows nothing: template "teams" rendered only white space for status resolved`},
	} {
		_, err := New(c.cfg)
		if assert.Error(t, err, c.want) {
			assert.Contains(t, err.Error(), c.want)
			channeltest.AssertNoSecret(t, err.Error(), workflowSig, workflowID)
		}
	}
}

// The sample configuration's YAML decodes into a Config New accepts; the
// Config encodes and prints without the URL's secrets.
func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte("name: ops-teams\nwebhook_url: "+testURL+"\n"), &cfg))
	assert.Equal(t, Config{Name: "ops-teams", WebhookURL: redact.NewURL(testURL)}, cfg)
	_, err := New(cfg)
	require.NoError(t, err)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	assert.Equal(t, "name: ops-teams\nwebhook_url: https://prod-42.westeurope.logic.azure.com:443/…?…\n", string(out))
	channeltest.AssertNoSecret(t, fmt.Sprintf("%+v %s", cfg, out), workflowSig, workflowID)
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(Config{WebhookURL: redact.NewURL(testURL), HTTPClient: given})
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}
