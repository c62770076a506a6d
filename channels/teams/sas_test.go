package teams

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A Workflows trigger's URL without its shared access signature (sig=,
// with sp= and sv=) or its api-version= is refused by New: the channel
// sends no OAuth token, so every post would fail 401 (or 400) at send
// time. A URL whose trigger takes only users of the tenant has no sig=
// at all: the error says how to get one that has. Errors name the
// parameters, never their values.
func TestNewRefusesWorkflowURLWithoutSignature(t *testing.T) {
	const logic = "https://prod-42.westeurope.logic.azure.com:443" + triggerPath
	const pa = "https://default1a2b3c.09.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/" +
		workflowID + "/triggers/manual/paths/invoke"
	for _, c := range []struct{ raw, want string }{
		{pa + "?api-version=1", "no sig= query parameter"},
		{logic + "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0", "no sig= query parameter"},
		{logic + "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=", "no sig= query parameter"},
		{"https://prod-07.usgovarizona.logic.azure.us" + triggerPath + "?api-version=2016-06-01", "no sig= query parameter"},
		{logic + "?api-version=2016-06-01&sig=" + workflowSig, "lacks its sp=, sv= query parameters"},
		{logic + "?sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig, "lacks its api-version= query parameter"},
		{pa + "?sp=%2Ftriggers%2Fmanual%2Frun&sig=" + workflowSig, "lacks its api-version=, sv= query parameters"},
		{"https://ops-logic.azurewebsites.net:443/api/post-card/triggers/manual/invoke?api-version=2022-05-01", "no sig= query parameter"},
		// A host written as a fully qualified name, with its final dot,
		// is the same host.
		{"https://prod-42.westeurope.logic.azure.com.:443" + triggerPath + "?api-version=2016-06-01", "no sig= query parameter"},
		{"https://PROD-42.WestEurope.Logic.Azure.Com." + triggerPath + "?api-version=2016-06-01&sig=" + workflowSig, "lacks its sp=, sv= query parameters"},
		{"https://default1a2b3c.09.environment.api.powerplatform.com./powerautomate/automations/direct/workflows/" +
			workflowID + "/triggers/manual/paths/invoke?api-version=1", "no sig= query parameter"},
	} {
		_, err := New(Config{WebhookURL: redact.NewURL(c.raw)})
		if assert.Error(t, err, c.raw) {
			assert.Contains(t, err.Error(), "teams: Config.WebhookURL: ")
			assert.Contains(t, err.Error(), c.want, c.raw)
			channeltest.AssertNoSecret(t, err.Error(), workflowSig, workflowID, "default1a2b3c")
		}
		cfg, err := ParseURL("teams" + c.raw[len("https"):])
		require.NoError(t, err)
		_, err = New(cfg)
		assert.ErrorContains(t, err, c.want, "the URL form too")
	}
	// Whole trigger URLs are taken, and so is a URL on a host of the
	// user's own (a relay that signs, a test server), which may lack sig=.
	for _, raw := range []string{
		logic + "?" + triggerQuery,
		pa + "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig,
		"https://relay.example.net/teams/ops?team=1",
		"https://ops-logic.azurewebsites.net/api/post-card/triggers/manual/invoke?api-version=2022-05-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig,
		"https://relay.azurewebsites.net/teams/ops",
		"http://127.0.0.1:8080" + triggerPath + "?api-version=2016-06-01",
	} {
		_, err := New(Config{WebhookURL: redact.NewURL(raw)})
		assert.NoError(t, err, raw)
	}
}
