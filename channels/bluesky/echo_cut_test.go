package bluesky

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A captive portal's 200 page that quotes the app password of the login
// where the error's snippet is cut leaves no part of it in the error: the
// page is redacted before it is cut (httpx leaves a 2xx unredacted; the
// channel quotes it through httpx.BodySnippet).
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusOK, func(r *http.Request) string {
		var in struct{ Password string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		return "password=" + in.Password
	}, testPassword, func(base string) (broadcast.Channel, error) {
		return New(Config{Service: base, Identifier: testIdentifier, AppPassword: redact.NewSecret(testPassword)})
	})
}
