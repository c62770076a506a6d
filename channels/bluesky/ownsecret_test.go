package bluesky

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A app password pasted into the Service's path, as written or %-escaped,
// is refused by New, naming Service and the field the secret belongs in
// and quoting neither: Service is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInService(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testPassword, "AppPassword"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := testConfig("")
			cfg.Service = "https://pds.example.com/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "bluesky: Config.Service: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
}
