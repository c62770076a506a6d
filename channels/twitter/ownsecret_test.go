package twitter

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A credential pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testConsumerKey, "ConsumerKey"},
		{testConsumerSecret, "ConsumerSecret"},
		{testAccessToken, "AccessToken"},
		{testAccessSecret, "AccessSecret"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := testConfig(false)
			cfg.BaseURL = "https://api.example.com/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "twitter: Config.BaseURL: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
}

// ParseURL refuses a credential in base_url too, as New would: the Config
// it returns would print with it.
func TestParseURLRefusesSecretInBaseURL(t *testing.T) {
	_, err := ParseURL("x://api.x.com?consumer_key=ck-1234567&consumer_secret=cs-1234567&access_token=at-1234567" +
		"&access_secret=as-s3cr3tPW&base_url=" + url.QueryEscape("https://api.example.com/as-s3cr3tPW"))
	assert.EqualError(t, err, "twitter: URL: query base_url: "+endpoint.SecretProblem("AccessSecret"))
}
