package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A Telegram token the Bot API server always refuses (its id starting
// with 0, here) is refused when the file loads, at the token's key and
// without the token, whether written under token: or in the URL form.
func TestTelegramTokenTheBotAPIRefusesFailsTheLoad(t *testing.T) {
	const token = "07012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: telegram",
		"    token: \""+token+"\"",
		"    chats: [\"@examplestatus\"]",
	), nil)
	assertFaults(t, err, `test.yaml:3: channels[0] (telegram "telegram"): token: not a bot token: the bot's id before the colon starts with 0`)
	assert.NotContains(t, err.Error(), "AAHdqTcv")

	_, _, err = parse(t, lines(
		"channels:",
		"  - telegram://"+token+"@telegram?chats=@examplestatus",
	), nil)
	assertFaults(t, err, `test.yaml:2: channels[0] (telegram "telegram"): token: not a bot token: the bot's id before the colon starts with 0`)
	assert.NotContains(t, err.Error(), "AAHdqTcv")
}
