package mastodon

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The instance's 401, with its error entity (Mastodon's "The access token
// is invalid", Doorkeeper's invalid_token), refuses the token itself and
// names Config.Token, for every call; a 403 (a scope the token lacks, a
// status that is another account's, an action the instance does not
// allow) and another server's 401 do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	ch, err := New(testConfig("https://mastodon.example"))
	require.NoError(t, err)
	for _, c := range []struct {
		op     string
		status int
		header map[string]string
		body   string
		field  string // "" when the credential is not refused
	}{
		{opPost, 401, nil, `{"error":"The access token is invalid"}`, "Config.Token"},
		{opPost, 401, nil, `{"error":"invalid_token","error_description":"The access token was revoked"}`, "Config.Token"},
		{opEdit, 401, nil, `{"error":"The access token is invalid"}`, "Config.Token"},
		{opReply, 401, nil, `{"error":"The access token is invalid"}`, "Config.Token"},
		{opPost, 403, nil, `{"error":"This action is outside the authorized scopes"}`, ""},
		{opPost, 403, map[string]string{"WWW-Authenticate": `Bearer error="insufficient_scope"`}, `{"error":"x"}`, ""},
		{opEdit, 403, nil, `{"error":"This action is not allowed"}`, ""},
		{opPost, 403, nil, `{"error":"Your login is currently disabled"}`, ""},
		{opPost, 401, nil, `<html>401 Authorization Required</html>`, ""},
		{opPost, 422, nil, `{"error":"Validation failed"}`, ""},
	} {
		h := http.Header{}
		for k, v := range c.header {
			h.Set(k, v)
		}
		err := ch.classify(c.op, &httpx.Response{Status: c.status, Header: h, Body: []byte(c.body)})
		require.Error(t, err, "%s %d %s", c.op, c.status, c.body)
		assert.True(t, broadcast.IsPermanent(err), "%s %d %s: %v", c.op, c.status, c.body, err)
		channeltest.AssertCredentialField(t, err, c.field)
		if c.field == "" {
			continue
		}
		var apiErr *APIError
		assert.ErrorAs(t, err, &apiErr)
	}
}
