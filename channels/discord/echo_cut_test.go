package discord

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A webhook token an error page quotes (the request's path) where the
// error snippet is cut leaves no part of itself in the error.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusForbidden, func(r *http.Request) string { return "path=" + r.URL.Path },
		testToken, func(base string) (broadcast.Channel, error) {
			return New(Config{WebhookURL: redact.NewURL(base + "/api/webhooks/" + testID + "/" + testToken)})
		})
}
