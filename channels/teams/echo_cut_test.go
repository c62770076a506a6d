package teams

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A captive portal's 200 page that quotes the workflow URL's path where
// the error snippet is cut leaves no part of the workflow id in the error:
// the page is redacted before it is cut. Before, the snippet was cut
// first, and the redactor no longer knew the id's start.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusOK, func(r *http.Request) string { return "path=" + r.URL.Path },
		workflowID, func(base string) (broadcast.Channel, error) {
			return New(Config{WebhookURL: redact.NewURL(base + triggerPath + "?" + triggerQuery)})
		})
}
