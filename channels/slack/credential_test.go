package slack

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Slack's answers that refuse the token itself name Config.Token, and
// those of an incoming webhook that refuse its URL name Config.WebhookURL;
// a refusal of a scope, a channel or a message names neither, nor does
// invalid_auth, which Slack also answers to a good token sent from an
// address the workspace does not allow. The marks stay (permanent) and the
// *APIError is still found.
func TestRefusedCredentialNamesField(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, c := range []struct {
		status int
		code   string
		field  string // "" when the credential is not refused
	}{
		{200, "invalid_auth", ""},
		{200, "not_authed", "Config.Token"},
		{200, "account_inactive", "Config.Token"},
		{200, "token_revoked", "Config.Token"},
		{200, "token_expired", "Config.Token"},
		{401, "invalid_auth", ""},
		{401, "token_revoked", "Config.Token"},
		{200, "missing_scope", ""},
		{200, "channel_not_found", ""},
		{200, "not_in_channel", ""},
		{200, "no_text", ""},
		{200, "ratelimited", ""},
	} {
		resp := &httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(`{"ok":false,"error":"` + c.code + `"}`)}
		err := ch.decode("auth.test", resp, &apiResponse{})
		require.Errorf(t, err, "%s", c.code)
		var ae *APIError
		assert.Truef(t, errors.As(err, &ae), "%s: an *APIError", c.code)
		if c.code != "ratelimited" {
			assert.Truef(t, broadcast.IsPermanent(err), "%s: %v", c.code, err)
		}
		channeltest.AssertCredentialField(t, err, c.field)
	}

	f := newFakeSlack(t, testToken)
	hook, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = hook.Close() })
	defer f.answerHook(nil)
	for _, c := range []struct {
		status int
		body   string
		field  string
	}{
		{http.StatusNotFound, "no_service", "Config.WebhookURL"},
		{http.StatusForbidden, "invalid_token", "Config.WebhookURL"},
		{http.StatusNotFound, "channel_not_found", ""},
		{http.StatusForbidden, "action_prohibited", ""},
		{http.StatusBadRequest, "invalid_payload", ""},
	} {
		f.answerHook(&fakeAnswer{status: c.status, body: c.body})
		_, err := hook.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
		require.Errorf(t, err, "%d %s", c.status, c.body)
		assert.Truef(t, broadcast.IsPermanent(err), "%d %s: %v", c.status, c.body, err)
		channeltest.AssertCredentialField(t, err, c.field)
		assert.NotContains(t, err.Error(), hookSecret)
	}
}
