package slack

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// A token pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testToken, "Token"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}}
			cfg.BaseURL = "https://slack.example.com/api/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "slack: Config.BaseURL: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
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
