package telegram

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A bot token pasted as the channel's name, in the URL form's name= or in
// Config.Name, whole or its secret part after the bot's id, would be shown
// in every Result, event, log line and error: New refuses it, naming the
// field and not quoting it.
func TestNameHoldingTheTokenIsRefused(t *testing.T) {
	_, part, _ := strings.Cut(testToken, ":")
	fromURL, err := ParseURL("telegram://" + testToken + "@telegram?chats=@examplestatus&name=" + url.QueryEscape(testToken))
	require.NoError(t, err, "ParseURL checks the form; New the values")
	for _, cfg := range []Config{
		fromURL,
		{Name: testToken, Token: redact.NewSecret(testToken), Chats: []string{"@examplestatus"}},
		{Name: "bot " + part, Token: redact.NewSecret(testToken), Chats: []string{"@examplestatus"}},
	} {
		_, err := New(cfg)
		require.Error(t, err)
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		assert.True(t, strings.HasPrefix(err.Error(), "telegram: Config.Name: "+redact.ErrSecretInName.Error()), err.Error())
		assert.NotContains(t, err.Error(), part)
	}
	_, err = New(Config{Name: "ops-telegram", Token: redact.NewSecret(testToken), Chats: []string{"@examplestatus"}})
	require.NoError(t, err)
}
