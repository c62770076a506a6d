package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// The Bot API server refuses a token it cannot be a bot's before it looks
// the bot up: one without a colon, starting with 0, longer than 80
// characters or holding a "/", and one whose id is 0 or from 2^54 on,
// with 401 "Unauthorized: invalid token specified" (ClientManager::send in
// tdlib/telegram-bot-api, the Bot API's server; an id that is no number
// it answers 421 "Misdirected Request: unallowed token specified", which
// New never sends, and the channel takes for a refused token too). The
// fake answers so;
// before, it answered a token without a colon 404 "Not Found", and one
// starting with 0 as a well-formed token of another bot.
func TestFakeRefusesAnInvalidTokenAsTheBotAPI(t *testing.T) {
	f := newFakeBot(t)
	for _, token := range []string{"examplebot", "0" + testToken, strings.Repeat("7", 10) + ":" + strings.Repeat("A", 71),
		"18014398509481984:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"} {
		resp, err := f.Client().Post(f.URL+"/bot"+token+"/getMe", "application/json", strings.NewReader("{}"))
		require.NoError(t, err)
		var a struct {
			OK          bool   `json:"ok"`
			ErrorCode   int    `json:"error_code"`
			Description string `json:"description"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, token)
		assert.Equal(t, 401, a.ErrorCode, token)
		assert.Equal(t, "Unauthorized: invalid token specified", a.Description, token)
	}
}

// The channel takes that answer for what it is: the token refused, for
// good, every chat alike. New refuses such a token (see
// TestNewRefusesATokenTheBotAPIAlwaysRefuses): the channel is made with a
// good one, and sends another, as a server with other rules would refuse.
func TestInvalidTokenIsRefusedForGood(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	ch.s.token = redact.NewSecret("0" + testToken)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.True(t, errors.Is(err, errTokenRefused), err)
	assert.Contains(t, err.Error(), "Bot API answered 401: Unauthorized: invalid token specified")
	assert.NotContains(t, err.Error(), "0"+testToken)
}
