package statuspageio

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A API key pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testKey, "APIKey"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := validConfig()
			cfg.BaseURL = "https://api.example.com/v1/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "statuspageio: Config.BaseURL: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
}
