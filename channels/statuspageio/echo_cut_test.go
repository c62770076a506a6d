package statuspageio

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// An API key an error page quotes (the Authorization header) where the
// error snippet is cut leaves no part of itself in the error, on an
// error page and on a captive portal's 200 page, which httpx leaves
// unredacted.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	const key = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	for _, status := range []int{http.StatusBadRequest, http.StatusOK} {
		channeltest.AssertEchoAtTheCutRedacted(t, status, func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") },
			key, func(base string) (broadcast.Channel, error) {
				return New(Config{APIKey: redact.NewSecret(key), PageID: "kctbh9vrtdwd", BaseURL: base, RateLimit: 1000})
			})
	}
}
