package telegram

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A bot token pasted under the wrong key of the URL form, whole or only its
// secret part, must not show in the error that refuses it: not in
// ParseURL's, nor in New's for the Config that ParseURL returned.
func TestURLErrorsNeverQuoteATokenUnderAnyKey(t *testing.T) {
	const (
		pasted = "123456789:AAF1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU_v" // a bot token: the bot's id, a colon, 35 characters
		secret = "AAF1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU_v"
	)
	require.Len(t, secret, 35)
	for _, key := range []string{"chats", "preview", "template", "name"} {
		for _, value := range []string{pasted, secret, "@examplestatus," + pasted, "small," + pasted, pasted + "/42"} {
			q := url.Values{"chats": {"@examplestatus"}}
			q.Set(key, value)
			raw := "telegram://" + testToken + "@telegram?" + q.Encode()
			cfg, err := ParseURL(raw)
			if err == nil {
				_, err = New(cfg)
			}
			if err != nil {
				channeltest.AssertNoSecret(t, err.Error(), pasted, secret)
			}
		}
	}
	// The same values in a Config, for New.
	for _, value := range []string{pasted, secret, pasted + "/42", "@" + secret} {
		cfg := testConfig("@examplestatus", value)
		_, err := New(cfg)
		require.Error(t, err, value)
		channeltest.AssertNoSecret(t, err.Error(), pasted, secret)
		cfg = testConfig("@examplestatus")
		cfg.Template = value
		_, err = New(cfg)
		require.Error(t, err, value)
		channeltest.AssertNoSecret(t, err.Error(), pasted, secret)
	}
}
