package discord

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// The webhook's own avatar, which Discord serves under the webhook's id
// (cdn.discordapp.com/avatars/{id}/{hash}.png), is a fine AvatarURL: the
// id is no secret, only the token is, which is still refused there.
func TestAvatarURLOfTheWebhooksOwnAvatar(t *testing.T) {
	cfg := Config{WebhookURL: redact.NewURL(hookURL),
		AvatarURL: "https://cdn.discordapp.com/avatars/" + testID + "/a1b2c3d4e5f60718293a4b5c6d7e8f90.png"}
	_, err := New(cfg)
	assert.NoError(t, err)
	cfg.AvatarURL = "https://cdn.discordapp.com/avatars/" + testID + "/" + testToken + ".png"
	_, err = New(cfg)
	assert.ErrorContains(t, err, "discord: Config.AvatarURL: must not hold the value of Config.WebhookURL")
}
