package twitter

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A credential pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "twitter: Config.BaseURL: ", map[string]string{
		"ConsumerKey": testConsumerKey, "ConsumerSecret": testConsumerSecret,
		"AccessToken": testAccessToken, "AccessSecret": testAccessSecret,
	}, func(form string) error {
		cfg := testConfig(false)
		cfg.BaseURL = "https://api.example.com/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}

// ParseURL refuses a credential in base_url too, as New would: the Config
// it returns would print with it.
func TestParseURLRefusesSecretInBaseURL(t *testing.T) {
	_, err := ParseURL("x://api.x.com?consumer_key=ck-1234567&consumer_secret=cs-1234567&access_token=at-1234567" +
		"&access_secret=as-s3cr3tPW&base_url=" + url.QueryEscape("https://api.example.com/as-s3cr3tPW"))
	assert.EqualError(t, err, "twitter: URL: query base_url: "+endpoint.SecretProblem("AccessSecret"))
}
