package bluesky

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The server's refusal of a login (401 AuthenticationRequired, "Invalid
// identifier or password") refuses the account's credentials and names
// Config.Identifier and Config.AppPassword; a second factor asked for
// (which an app password never is) refuses the account's own password
// put in Config.AppPassword, and names it; an account taken down, a
// refusal of another call (a session the channel holds, another
// account's record) and another server's 401 do not say the credential
// was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	for _, c := range []struct {
		op     string
		status int
		body   string
		field  string // "" when the credential is not refused
	}{
		{opLogin, 401, `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`, "Config.Identifier and Config.AppPassword"},
		{opLogin, 401, `{"error":"AccountTakedown","message":"Account has been taken down"}`, ""},
		{opLogin, 401, `{"error":"AuthFactorTokenRequired","message":"A sign in code has been sent to your email address"}`, "Config.AppPassword"},
		{opLogin, 401, `<html><h1>401 Authorization Required</h1></html>`, ""},
		{opLogin, 400, `{"error":"InvalidRequest","message":"Input/identifier must be a string"}`, ""},
		{opPost, 401, `{"error":"AuthenticationRequired","message":"Authentication Required"}`, ""},
		{opPost, 400, `{"error":"ExpiredToken","message":"Token has expired"}`, ""},
	} {
		err := ch.classify(c.op, &httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}, nil)
		require.Error(t, err, "%s %d %s", c.op, c.status, c.body)
		assert.True(t, broadcast.IsPermanent(err), "%s %d %s: %v", c.op, c.status, c.body, err)
		channeltest.AssertCredentialField(t, err, c.field)
		if c.field == "" {
			continue
		}
		var xe *XRPCError
		assert.ErrorAs(t, err, &xe)
	}
}
