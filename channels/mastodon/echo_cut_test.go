package mastodon

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// The token a captive portal's 200 page quotes (the Authorization header)
// where the error snippet is cut leaves no part of itself in the error:
// httpx leaves a 2xx unredacted, and the page is redacted before the cut.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusOK, func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") },
		testToken, func(base string) (broadcast.Channel, error) { return New(testConfig(base)) })
}
