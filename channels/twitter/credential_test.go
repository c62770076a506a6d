package twitter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// X's own 401 refuses the credentials and names the fields that hold them:
// the four OAuth 1.0a ones, or TokenSource (after the token it gave again
// was refused too); a 403 (a permission, an app not enrolled) and another
// server's 401 do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	const unauthorized = `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`
	fields := map[bool]string{
		false: "Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret",
		true:  "Config.TokenSource",
	}
	for _, mode := range authModes {
		for _, c := range []struct {
			name   string
			status int
			body   string
			field  string // "" when the credential is not refused
		}{
			{"401", 401, unauthorized, fields[mode.bearer]},
			{"403", 403, `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`, ""},
			{"403 client not enrolled", 403, `{"title":"Client Forbidden","detail":"x","reason":"client-not-enrolled",` +
				`"type":"https://api.twitter.com/2/problems/client-forbidden"}`, ""},
			{"proxy's 401", 401, "<html><h1>401 Authorization Required</h1></html>", ""},
		} {
			t.Run(mode.name+"/"+c.name, func(t *testing.T) {
				f := newFakeX(t, mode.bearer)
				f.respondWith(answer(c.status, c.body))
				ch := newTestChannel(t, f)
				_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
				require.Error(t, err)
				assert.True(t, broadcast.IsPermanent(err), "%v", err)
				channeltest.AssertCredentialField(t, err, c.field)
			})
		}
	}
}

// X answers an OAuth 1.0a request whose timestamp is too far from its
// clock with 401 and error 135, "Timestamp out of bounds": the keys are
// fine and this machine's clock is not. The error names the clock, not
// the keys, and stays permanent as every 401 does; the codes of a refused
// credential (32, 89) name the keys.
func TestTimestampOutOfBoundsNamesClock(t *testing.T) {
	keys := "Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret"
	for _, c := range []struct {
		name, body, field string
		clock             bool
	}{
		{"135", `{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}`, "", true},
		{"135 without its message", `{"errors":[{"code":135,"message":"Could not authenticate you."}]}`, "", true},
		{"32", `{"errors":[{"code":32,"message":"Could not authenticate you."}]}`, keys, false},
		{"89", `{"errors":[{"code":89,"message":"Invalid or expired token."}]}`, keys, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeX(t, false)
			f.respondWith(answer(401, c.body))
			ch := newTestChannel(t, f)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			channeltest.AssertCredentialField(t, err, c.field)
			if c.clock {
				assert.Contains(t, err.Error(), "this machine's clock", "%v", err)
			} else {
				assert.NotContains(t, err.Error(), "clock", "%v", err)
			}
		})
	}
}

// A request with OAuth 2.0 carries no oauth_timestamp, so an error 135 in
// the answer to one says nothing of this machine's clock: the 401 refuses
// the token, and names Config.TokenSource as any other 401 of X's does.
func TestTimestampOutOfBoundsWithOAuth2NamesTokenSource(t *testing.T) {
	f := newFakeX(t, true)
	f.respondWith(answer(401, `{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}`))
	ch := newTestChannel(t, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	channeltest.AssertCredentialField(t, err, "Config.TokenSource")
	assert.NotContains(t, err.Error(), "clock", "%v", err)
}

// An error 135 whose message quotes a credential (a front end echoing the
// request's OAuth header) names the clock without quoting it.
func TestTimestampOutOfBoundsQuotesNoSecret(t *testing.T) {
	f := newFakeX(t, false)
	msg := "Timestamp out of bounds for oauth_token=" + testAccessToken + " consumer " + testConsumerKey
	f.respondWith(answer(401, `{"errors":[{"code":135,"message":"`+msg+`"}]}`))
	ch := newTestChannel(t, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "this machine's clock", "%v", err)
	for _, s := range testSecrets {
		assert.NotContains(t, err.Error(), s)
	}
}
