package teams

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

const testTeamsURL = "teams://prod-42.westeurope.logic.azure.com:443" + triggerPath + "?" + triggerQuery

// URL → Config → URL gives the URL back, and the Config is valid.
func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		testTeamsURL,
		testTeamsURL + "#name=ops-teams",
		testTeamsURL + "#name=ops+%26+status",
		"teams://default1a2b.3c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/" +
			workflowID + "/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig,
		"teams+http://127.0.0.1:8080" + triggerPath + "?" + triggerQuery,
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err, raw)
		_, err = New(cfg)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, cfg.URL().Reveal())
	}
}

// Config → URL → Config gives the Config back.
func TestConfigURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		{WebhookURL: redact.NewURL(testURL)},
		{Name: "ops-teams", WebhookURL: redact.NewURL(testURL)},
		{Name: "ops & status #1", WebhookURL: redact.NewURL(testURL)},
		{WebhookURL: redact.NewURL("http://[::1]:9" + triggerPath + "?" + triggerQuery)},
	} {
		got, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, got)
	}
}

func TestURLPrintsNoSecret(t *testing.T) {
	u := Config{WebhookURL: redact.NewURL(testURL)}.URL()
	for _, verb := range []string{"%v", "%s", "%q", "%+v", "%#v"} {
		channeltest.AssertNoSecret(t, fmt.Sprintf(verb, u), workflowSig, workflowID)
	}
	assert.Equal(t, "teams://prod-42.westeurope.logic.azure.com:443/…?…", u.String())
}

// Bad URLs are refused with an error naming the part, never quoting the
// path or query.
func TestParseURLErrors(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"https://prod-42.westeurope.logic.azure.com" + triggerPath + "?" + triggerQuery, "teams: URL: scheme: want teams:// (or teams+http:// for plain http to a loopback host)"},
		{"teams://" + triggerPath + "?" + triggerQuery, "teams: URL: host: missing"},
		{"teams://user:" + workflowSig + "@prod-42.westeurope.logic.azure.com" + triggerPath, "teams: URL: user information: not allowed"},
		{"teams://prod-42.westeurope.logic.azure.com?" + triggerQuery, "teams: URL: path: missing"},
		// A password pasted with the URL, its "/" not %-escaped after
		// digits, would make the user name the host and the digits its
		// port: refused as user information is.
		{"teams://user:7319/" + workflowSig + "@prod-42.westeurope.logic.azure.com" + triggerPath, `teams: URL: port: followed by a path holding "@"`},
		{"teams://user:7319?" + workflowSig + "@prod-42.westeurope.logic.azure.com" + triggerPath, `teams: URL: port: followed by a query holding "@"`},
		{testTeamsURL + "#channel=ops", `teams: URL: fragment: want name=<name> only, once (a "#" in the path or query is written %23)`},
		{testTeamsURL + "#name=a&name=b", `teams: URL: fragment: want name=<name> only, once`},
		// A name given empty is a value lost, not a wish for the default.
		{testTeamsURL + "#name=", `teams: URL: fragment name: empty (write the channel's name, or leave name out for the default)`},
		{"teams://prod-42.westeurope.logic.azure.com" + triggerPath + "?sig=" + workflowSig[:9] + "#" + workflowSig[9:], "teams: URL: fragment: want name=<name> only"},
		{"teams://prod-42.westeurope.logic.azure.com/workflows/" + workflowID[:4] + "#" + workflowID[4:] + "/triggers?sig=" + workflowSig, "teams: URL: fragment: want name=<name> only"},
		{"teams://prod-42.westeurope.logic.azure.com" + triggerPath + "%zz?sig=" + workflowSig, "teams: URL: does not parse"},
	} {
		_, err := ParseURL(c.raw)
		if assert.Error(t, err, c.raw) {
			assert.Contains(t, err.Error(), c.want, c.raw)
			channeltest.AssertNoSecret(t, err.Error(), workflowSig, workflowID, workflowSig[9:], workflowID[4:])
		}
	}
}

// A Config whose WebhookURL New refuses has no URL form, as in the other
// chat channels: an "ftp://" URL, say, would otherwise read as a
// "teams+ftp://" channel URL that ParseURL refuses.
func TestURLOfARefusedConfig(t *testing.T) {
	for _, raw := range []string{
		"ftp://prod-42.westeurope.logic.azure.com" + triggerPath + "?" + triggerQuery,
		"http://prod-42.westeurope.logic.azure.com" + triggerPath + "?" + triggerQuery, // http off loopback
		"https://prod-42.westeurope.logic.azure.com",                                   // no path
		"https://outlook.office.com/webhook/abc/IncomingWebhook/def/ghi",               // a retired connector
		"",
	} {
		cfg := Config{WebhookURL: redact.NewURL(raw)}
		_, err := New(cfg)
		require.Error(t, err, raw)
		assert.Zero(t, cfg.URL(), raw)
	}
}
