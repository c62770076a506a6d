package slack

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// A token pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "slack: Config.BaseURL: ", map[string]string{"Token": testToken}, func(form string) error {
		cfg := Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}}
		cfg.BaseURL = "https://slack.example.com/api/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}

// ParseURL refuses the token in base_url too, as New would: the Config it
// returns would print with it.
func TestParseURLRefusesTokenInBaseURL(t *testing.T) {
	kind, rest, _ := strings.Cut(testToken, "-")
	for _, form := range []string{testToken, url.PathEscape(testToken)} {
		_, err := ParseURL("slack://" + kind + ":" + rest + "@slack.com/C0STATUS02?base_url=" +
			url.QueryEscape("https://slack.example.com/"+form+"/api"))
		assert.EqualError(t, err, "slack: URL: query base_url: "+endpoint.SecretProblem("Token"), form)
	}
}
