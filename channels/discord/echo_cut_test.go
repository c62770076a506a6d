package discord

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A webhook token an error page quotes (the request's path) where the
// error snippet is cut leaves no part of itself in the error, on an
// error page and on a captive portal's 200 page, which httpx leaves
// unredacted.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusOK} {
		channeltest.AssertEchoAtTheCutRedacted(t, status, func(r *http.Request) string { return "path=" + r.URL.Path },
			testToken, func(base string) (broadcast.Channel, error) {
				return New(Config{WebhookURL: redact.NewURL(base + "/api/webhooks/" + testID + "/" + testToken)})
			})
	}
}
