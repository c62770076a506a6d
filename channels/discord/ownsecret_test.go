package discord

import (
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A webhook's token pasted into AvatarURL, as written or %-escaped, is
// refused by New, naming AvatarURL and the field the token belongs in and
// quoting neither: Discord fetches the image from there and shows it to
// every reader, and AvatarURL, a plain string, prints with the Config.
func TestNewRefusesOwnSecretInAvatarURL(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "discord: Config.AvatarURL: ", map[string]string{"WebhookURL": testToken}, func(form string) error {
		cfg := Config{WebhookURL: redact.NewURL("https://discord.com/api/webhooks/1234567890123456789/" + testToken)}
		cfg.AvatarURL = "https://cdn.example.com/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}
