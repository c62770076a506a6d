package mastodon

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A 2xx page cut at bodyLimit where it quotes the start of the token,
// after a page of blanks that the error's snippet folds into one, leaves
// no part of it in the error. Before, the cut page was redacted as a
// whole text, which cannot tell the start of the token from other text.
func TestCutPageHidesTokenHead(t *testing.T) {
	channeltest.AssertCutAnswerHidesSecretHead(t, http.StatusOK, "text/html; charset=utf-8", "<html><body>",
		bodyLimit, testToken, func(base string) (broadcast.Channel, error) { return New(testConfig(base)) })
}
