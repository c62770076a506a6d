package telegram

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The Bot API's refusals of the bot token itself (401 Unauthorized, and a
// Bot API server's 421 "unallowed token specified") name Config.Token; a
// 404 (a token the server cannot read, or a base URL with a wrong path),
// a chat's refusal and another server's answer (its page; a redirect,
// whatever its body says) do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		field  string // "" when the credential is not refused
	}{
		{401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, "Config.Token"},
		{401, `{"ok":false,"error_code":401,"description":"Unauthorized: invalid token specified"}`, "Config.Token"},
		{421, `{"ok":false,"error_code":421,"description":"Misdirected Request: unallowed token specified"}`, "Config.Token"},
		{404, `{"ok":false,"error_code":404,"description":"Not Found"}`, ""},
		{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, ""},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, ""},
		{421, `<html>421 Misdirected Request</html>`, ""},
		{401, `<html>401 Authorization Required</html>`, ""},
		{307, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, ""},
	} {
		r := &httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}
		err := classify("sendMessage", r, apiError(nil, r))
		require.Error(t, err, "%d %s", c.status, c.body)
		assert.True(t, broadcast.IsPermanent(err), "%d %s: %v", c.status, c.body, err)
		channeltest.AssertCredentialField(t, err, c.field)
		if c.field == "" {
			continue
		}
		assert.ErrorIs(t, err, errTokenRefused)
	}
}
