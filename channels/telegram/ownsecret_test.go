package telegram

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// The bot token's secret part pasted into BaseURL's path without the
// bot's id (which the token form's own check finds), as written or
// %-escaped, is refused by New and ParseURL, quoting neither: BaseURL is
// a plain string, which prints with the Config, and goes in the line of
// every request.
func TestNewRefusesTokenSecretInBaseURL(t *testing.T) {
	_, secret, _ := strings.Cut(testToken, ":")
	for _, form := range []string{secret, url.PathEscape(secret), "%41" + secret[1:]} {
		cfg := testConfig("@examplestatus")
		cfg.BaseURL = "https://tg.example.com/relay/" + form
		_, err := New(cfg)
		assert.EqualError(t, err, "telegram: Config.BaseURL: "+endpoint.SecretProblem("."), form)
		_, err = ParseURL("telegram://" + testToken + "@tg.example.com/relay/" + form + "?chats=@examplestatus")
		assert.ErrorContains(t, err, "telegram: URL: host and path: "+endpoint.SecretProblem("."), form)
		if err != nil {
			assert.NotContains(t, err.Error(), secret[4:])
		}
	}
}
