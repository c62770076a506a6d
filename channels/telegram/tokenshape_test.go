package telegram

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A token that has the shape the error describes, the bot's id, a colon,
// then a secret, but whose secret is cut short (copied in part) or holds
// other characters (the placeholder of the package's URL form, "SECRET",
// and what else does not fit), is refused saying which part is wrong: "not
// a bot token (the bot's id, a colon, then the secret)" told a user whose
// token looks just so nothing to change. So does an id that is no number.
func TestTokenErrorNamesThePartThatIsWrong(t *testing.T) {
	for _, tt := range []struct{ token, want string }{
		{"123456789:SECRET", "telegram: Config.Token: not a bot token: the secret after the colon is too short, or holds characters other than letters, digits, - and _ (copy the whole token @BotFather gave)"},
		{"7012345678:AAHdqTcv", "telegram: Config.Token: not a bot token: the secret after the colon is too short, or holds characters other than letters, digits, - and _ (copy the whole token @BotFather gave)"},
		{"7012345678:AAHdqTcvCH1vGWJxf.eofSAs0K5PALDsaw", "telegram: Config.Token: not a bot token: the secret after the colon is too short, or holds characters other than letters, digits, - and _ (copy the whole token @BotFather gave)"},
		{"examplebot:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "telegram: Config.Token: not a bot token: before the colon comes the bot's id, a number"},
	} {
		cfg := testConfig("@examplestatus")
		cfg.Token = redact.NewSecret(tt.token)
		_, err := New(cfg)
		require.Error(t, err, tt.token)
		assert.Equal(t, tt.want, err.Error(), tt.token)
		channeltest.AssertNoSecret(t, err.Error(), "SECRET", "AAHdqTcv")
	}
}
