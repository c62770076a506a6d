package matrix

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The homeserver's refusals of the access token itself (M_UNKNOWN_TOKEN,
// M_MISSING_TOKEN) name Config.AccessToken; a room's refusal (M_FORBIDDEN,
// M_NOT_FOUND), a locked account and another server's answer (a 401 without
// an errcode; a redirect, whatever its body says) do not say the credential
// was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	ch := newTestChannel(t, confConfig("https://matrix.example.org"))
	for _, c := range []struct {
		status int
		body   string
		field  string // "" when the credential is not refused
	}{
		{401, `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token","soft_logout":false}`, "Config.AccessToken"},
		{401, `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token","soft_logout":true}`, "Config.AccessToken"},
		{401, `{"errcode":"M_MISSING_TOKEN","error":"Missing token"}`, "Config.AccessToken"},
		{401, `{"errcode":"M_USER_LOCKED","error":"locked","soft_logout":true}`, ""},
		{403, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`, ""},
		{404, `{"errcode":"M_NOT_FOUND","error":"Unknown room"}`, ""},
		{401, `<html>401 Authorization Required</html>`, ""},
		{307, `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token"}`, ""},
	} {
		err := ch.classify(&httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}, time.Now())
		require.Error(t, err, "%d %s", c.status, c.body)
		assert.True(t, broadcast.IsPermanent(err), "%d %s: %v", c.status, c.body, err)
		var e *Error
		assert.True(t, errors.As(err, &e), "%d %s: an *Error", c.status, c.body)
		channeltest.AssertCredentialField(t, err, c.field)
	}
}
