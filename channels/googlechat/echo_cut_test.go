package googlechat

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A webhook token an error page quotes (the request's query) where the
// error snippet is cut leaves no part of itself in the error, on an
// error page and on a captive portal's 200 page, which httpx leaves
// unredacted.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusOK} {
		channeltest.AssertEchoAtTheCutRedacted(t, status, func(r *http.Request) string { return "token=" + r.URL.Query().Get("token") },
			testToken, func(base string) (broadcast.Channel, error) {
				return New(Config{WebhookURL: redact.NewURL(base + "/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + testToken)})
			})
	}
}
