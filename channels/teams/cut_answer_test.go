package teams

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// A 2xx answer cut at the read limit where it quotes the start of the
// workflow's id, after a page of blanks that the error's snippet folds
// into one, leaves no part of it in the error: a proxy's HTML page, and a
// connector's "delivery failed" text alike. Before, the cut answer was
// redacted as a whole text, which cannot tell the start of the id from
// other text.
func TestCutAnswerHidesWorkflowHead(t *testing.T) {
	newChannel := func(base string) (broadcast.Channel, error) {
		return New(Config{WebhookURL: redact.NewURL(base + triggerPath + "?" + triggerQuery)})
	}
	t.Run("page", func(t *testing.T) {
		channeltest.AssertCutAnswerHidesSecretHead(t, http.StatusOK, "text/html; charset=utf-8", "<html><body>",
			httpx.StatusBodyLimit, workflowID, newChannel)
	})
	t.Run("delivery failed", func(t *testing.T) {
		channeltest.AssertCutAnswerHidesSecretHead(t, http.StatusOK, "text/plain",
			"Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 500 for",
			httpx.StatusBodyLimit, workflowID, newChannel)
	})
}
