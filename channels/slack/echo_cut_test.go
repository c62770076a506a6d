package slack

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A bot token an error page quotes (the Authorization header) where the
// error snippet is cut leaves no part of itself in the error.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	const token = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusForbidden, func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") },
		token, func(base string) (broadcast.Channel, error) {
			return New(Config{Token: redact.NewSecret(token), Channels: []string{"C0123456789"}, BaseURL: base + "/api/"})
		})
}
