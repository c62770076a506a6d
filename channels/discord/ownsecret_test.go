package discord

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// A webhook's token pasted into AvatarURL, as written or %-escaped, is
// refused by New, naming AvatarURL and the field the token belongs in and
// quoting neither: Discord fetches the image from there and shows it to
// every reader, and AvatarURL, a plain string, prints with the Config.
func TestNewRefusesOwnSecretInAvatarURL(t *testing.T) {
	for _, tt := range []struct{ secret, field string }{
		{testToken, "WebhookURL"},
	} {
		forms := []string{url.PathEscape(tt.secret), url.QueryEscape(tt.secret)}
		if !strings.ContainsAny(tt.secret, " ?#%") {
			forms = append(forms, tt.secret)
		}
		for _, form := range forms {
			cfg := Config{WebhookURL: redact.NewURL("https://discord.com/api/webhooks/1234567890123456789/" + testToken)}
			cfg.AvatarURL = "https://cdn.example.com/" + form + "/x"
			_, err := New(cfg)
			assert.EqualError(t, err, "discord: Config.AvatarURL: "+endpoint.SecretProblem(tt.field), form)
			if err != nil {
				for _, f := range append(forms, tt.secret) {
					assert.NotContains(t, err.Error(), f)
				}
			}
		}
	}
}
