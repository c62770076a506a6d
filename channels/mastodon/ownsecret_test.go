package mastodon

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A token pasted into the Server's path, as written or %-escaped, is
// refused by New, naming Server and the field the secret belongs in and
// quoting neither: Server is a plain string, which prints with the Config,
// and goes in the line of every request.
func TestNewRefusesOwnSecretInServer(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testToken, "Token"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := testConfig("")
			cfg.Server = "https://mastodon.example.com/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "mastodon: Config.Server: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
}
