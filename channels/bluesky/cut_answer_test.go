package bluesky

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// A 2xx page cut at the read limit where it quotes the start of the app
// password, after a page of blanks that the error's snippet folds into
// one, leaves no part of it in the error. Before, the cut page was
// redacted as a whole text, which cannot tell the start of the password
// from other text.
func TestCutPageHidesPasswordHead(t *testing.T) {
	channeltest.AssertCutAnswerHidesSecretHead(t, http.StatusOK, "text/html; charset=utf-8", "<html><body>",
		httpx.DefaultBodyLimit, testPassword, func(base string) (broadcast.Channel, error) {
			return New(Config{Service: base, Identifier: testIdentifier, AppPassword: redact.NewSecret(testPassword)})
		})
}
