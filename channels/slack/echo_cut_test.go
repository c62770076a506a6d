package slack

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A bot token an error page quotes (the Authorization header) where the
// error snippet is cut leaves no part of itself in the error, on an
// error page and on a captive portal's 200 page, which httpx leaves
// unredacted.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	const token = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
	for _, status := range []int{http.StatusForbidden, http.StatusOK} {
		channeltest.AssertEchoAtTheCutRedacted(t, status, func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") },
			token, func(base string) (broadcast.Channel, error) {
				return New(Config{Token: redact.NewSecret(token), Channels: []string{"C0123456789"}, BaseURL: base + "/api/"})
			})
	}
}

// The secret segment of an incoming webhook's path, quoted by a captive
// portal's 200 page where the error snippet is cut, leaves no part of
// itself in the error.
func TestWebhookEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusOK, func(r *http.Request) string { return "path=" + r.URL.Path },
		hookSecret, func(base string) (broadcast.Channel, error) {
			return New(Config{WebhookURL: redact.NewURL(base + "/services/T0TEST0001/B0HOOK0001/" + hookSecret)})
		})
}
