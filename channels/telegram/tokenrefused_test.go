package telegram

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A token the Bot API server always refuses before it looks the bot up
// (ClientManager::send in tdlib/telegram-bot-api: one starting with 0,
// longer than 80 characters, or whose id is 0, from 2^54 on, or too large
// a number) is refused by New, saying what is wrong and never quoting the
// token, as the fake refuses it: the two go by one rule. Before, New
// accepted each, and every request of the channel failed with 401 (or
// 421) at the first Send.
func TestNewRefusesATokenTheBotAPIAlwaysRefuses(t *testing.T) {
	const secret = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	for _, tt := range []struct{ token, want string }{
		{"0" + testToken, "the bot's id before the colon starts with 0, which no bot's id does"},
		{"0:" + secret, "the bot's id before the colon starts with 0, which no bot's id does"},
		{"7012345678:" + strings.Repeat("A", 70), "longer than the 80 characters a bot token has at most (copy the whole token @BotFather gave, and only it)"},
		{"18014398509481984:" + secret, "the bot's id before the colon is out of the range of bots' ids (1 to 2^54-1)"},
		{"99999999999999999999:" + secret, "the bot's id before the colon is out of the range of bots' ids (1 to 2^54-1)"},
	} {
		cfg := testConfig("@examplestatus")
		cfg.Token = redact.NewSecret(tt.token)
		_, err := New(cfg)
		require.Error(t, err, tt.token)
		assert.Equal(t, "telegram: Config.Token: not a bot token: "+tt.want, err.Error(), tt.token)
		channeltest.AssertNoSecret(t, err.Error(), tt.token, secret, "AAAAAAAAAA")
		status, _ := tokenRefusal(tt.token)
		assert.NotZero(t, status, "the fake refuses %s too", tt.token)
	}
	// The longest token the server takes, and the largest id.
	for _, token := range []string{"7012345678:" + strings.Repeat("A", 69), "18014398509481983:" + secret, testToken} {
		cfg := testConfig("@examplestatus")
		cfg.Token = redact.NewSecret(token)
		_, err := New(cfg)
		require.NoError(t, err, token)
		status, _ := tokenRefusal(token)
		assert.Zero(t, status, token)
	}
}
