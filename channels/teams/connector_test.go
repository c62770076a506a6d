package teams

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// Every form of an Office 365 connector's URL is refused, as the package
// documentation promises: outlook.office365.com's too, which New took,
// and a connector's path on a host of another cloud.
func TestConnectorURLsRefused(t *testing.T) {
	for _, u := range []string{
		"https://outlook.office365.com/webhook/" + workflowID + "@" + workflowID + "/IncomingWebhook/" + workflowSig + "/" + workflowID,
		"https://outlook.office.com/webhook/" + workflowID + "/IncomingWebhook/" + workflowSig + "/" + workflowID,
		"https://contoso.webhook.office.com/webhookb2/" + workflowID + "/IncomingWebhook/" + workflowSig + "/" + workflowID,
		"https://outlook.office365.us/webhook/" + workflowID + "/IncomingWebhook/" + workflowSig + "/" + workflowID,
	} {
		_, err := New(Config{WebhookURL: redact.NewURL(u)})
		if assert.Error(t, err, u) {
			assert.Contains(t, err.Error(), "teams: Config.WebhookURL: an Office 365 connector's URL")
			channeltest.AssertNoSecret(t, err.Error(), workflowSig, workflowID)
		}
	}
	_, err := New(Config{WebhookURL: redact.NewURL("https://prod-42.westeurope.logic.azure.com" + triggerPath + "?" + triggerQuery)})
	assert.NoError(t, err, "a workflow's URL")
}

// A connector (and a relay in front of one) answers a refusal with 200 OK
// and its text, "Webhook message delivery failed with error: Microsoft
// Teams endpoint returned HTTP error 429 with ContextId …"
// (MicrosoftDocs/msteams-docs issue 400): no card was posted. The status
// it names decides the retry, as if it had been the answer's.
func TestDeliveryFailedText(t *testing.T) {
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	text := func(status string) string {
		return "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error " +
			status + " with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0."
	}
	plain := map[string]string{"Content-Type": "text/plain; charset=utf-8"}
	for _, c := range []struct {
		body string
		want string
	}{
		{text("429"), "30s"},
		{text("500"), "transient"},
		{text("400"), "permanent"},
		{text("413"), "permanent"},
		{"Webhook message delivery failed with error: Forbidden", "permanent"},
		{"1", ""},
	} {
		f.answerWith(&fakeAnswer{status: http.StatusOK, header: plain, body: c.body})
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		got := ""
		if d, ok := broadcast.RetryDelay(err); ok {
			got = d.Round(time.Second).String()
		} else if broadcast.IsPermanent(err) {
			got = "permanent"
		} else if err != nil {
			got = "transient"
		}
		require.Equal(t, c.want, got, "%q: %v", c.body, err)
		if err != nil {
			assert.Contains(t, err.Error(), "teams: post: http status 200 OK: Webhook message delivery failed")
		}
	}
}

// A connector answers 200 OK to what it takes for retryable ("O365
// Connectors return 200 for what they think are retry-able",
// MicrosoftDocs/msteams-docs issue 9064), such as "Webhook message
// delivery failed with error: Error contacting Microsoft Teams endpoint"
// (issue 1736): it could not reach Teams, which names no status, and a
// retry is what a user expects, not a permanent failure. A relay may pass
// the connector's text on without its first words, and a rate limit it
// passes on may carry Retry-After. Before, a text naming no status was
// permanent, and one without the first words was taken for a post.
func TestRelayErrorsRetried(t *testing.T) {
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	plain := map[string]string{"Content-Type": "text/plain; charset=utf-8"}
	for _, c := range []struct {
		status int
		header map[string]string
		body   string
		want   string
	}{
		{http.StatusOK, plain, "Webhook message delivery failed with error: Error contacting Microsoft Teams endpoint", "transient"},
		{http.StatusOK, plain, "Webhook message delivery failed with error: Error contacting Microsoft Teams endpoint.", "transient"},
		{http.StatusOK, plain, "Error contacting Microsoft Teams endpoint", "transient"},
		{http.StatusAccepted, plain, "Error contacting Microsoft Teams endpoint", "transient"},
		{http.StatusOK, plain, "Microsoft Teams endpoint returned HTTP error 503 with ContextId tcid=0", "transient"},
		{http.StatusOK, plain, "Microsoft Teams endpoint returned HTTP error 404 with ContextId tcid=0", "permanent"},
		{http.StatusOK, map[string]string{"Content-Type": "text/plain", "Retry-After": "120"},
			"Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0", "2m0s"},
		{http.StatusOK, plain, "Webhook message delivery failed with error: Internal Server Error", "transient"},
		{http.StatusOK, plain, "Webhook message delivery failed with error: Request Entity Too Large", "permanent"},
	} {
		f.answerWith(&fakeAnswer{status: c.status, header: c.header, body: c.body})
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		got := ""
		if d, ok := broadcast.RetryDelay(err); ok {
			got = d.Round(time.Second).String()
		} else if broadcast.IsPermanent(err) {
			got = "permanent"
		} else if err != nil {
			got = "transient"
		}
		assert.Equal(t, c.want, got, "%d %q: %v", c.status, c.body, err)
	}
}
