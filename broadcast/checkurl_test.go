package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// CheckURL is Validate's check of Update.URL, on its own, for a channel
// given a Message built without the Broadcaster: the same verdict, a
// *FieldError naming URL that does not quote the URL.
func TestCheckURL(t *testing.T) {
	for raw, bad := range map[string]bool{
		"": false, "https://status.example.com/incidents/42?x=1#y": false, "http://127.0.0.1:8080/": false,
		"https://ops:hunter2@status.example.com/": true, "javascript:alert(1)": true,
		"status.example.com/incidents/42": true, "https://status.example.com/a b": true,
		"https://status.example.com/\u200b": true, "https://:8443/x": true, "https://x.example/\x00": true,
		"https://x.example:99999/": true, "\xff": true,
	} {
		err := broadcast.CheckURL(raw)
		u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, URL: raw}
		assert.Equal(t, bad, err != nil, "%q: %v", raw, err)
		assert.Equal(t, bad, u.Validate() != nil, "%q: Validate agrees", raw)
		if err == nil {
			continue
		}
		var fe *broadcast.FieldError
		assert.True(t, errors.As(err, &fe) && fe.Field == "URL", "%q: %v", raw, err)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}

// An Update.URL whose query (or a fragment written as one, as OAuth's
// implicit flow writes its token) holds a parameter named as a
// credential is refused, as user information is: every channel posts
// the URL for all to see. Validate, CheckURL (which a channel given a
// Message built without the Broadcaster calls) and Send say the same,
// naming URL and quoting nothing of the secret.
func TestCheckURLCredentialQuery(t *testing.T) {
	const secret = "s3cr3tPW0rd"
	for _, raw := range []string{
		"https://status.example.com/incidents/42?token=" + secret,
		"https://status.example.com/incidents/42?v=2&access_token=" + secret,
		"https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4&X-Amz-Signature=" + secret,
		"https://files.example.net/r.html?sv=2024&sig=" + secret,
		"https://status.example.com/#access_token=" + secret + "&token_type=bearer",
		"https://status.example.com/#/incidents/42?apiKey=" + secret,
	} {
		u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, URL: raw}
		for name, err := range map[string]error{"CheckURL": broadcast.CheckURL(raw), "Validate": u.Validate()} {
			var fe *broadcast.FieldError
			require.True(t, errors.As(err, &fe), "%s %q: %v", name, raw, err)
			assert.Equal(t, "URL", fe.Field, name)
			assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
			assert.NotContains(t, err.Error(), secret, name)
		}
		called := false
		b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			called = true
			return broadcast.Receipt{}, nil
		})}, broadcast.Options{})
		require.NoError(t, err)
		_, err = b.Send(context.Background(), u)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, raw)
		assert.False(t, called, "%q: no channel is called", raw)
		_, err = b.Correct(context.Background(), "u_earlier", u)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, raw)
		assert.False(t, called, "%q: no channel is called for the correction", raw)
		require.NoError(t, b.Close())
	}
	for _, raw := range []string{
		"https://status.example.com/incidents/42?utm_source=x&page=2#updates",
		"https://status.example.com/?keyword=cdn&author=ops", "https://status.example.com/#key",
		"https://status.example.com/incidents/42?token=",
	} {
		assert.NoError(t, broadcast.CheckURL(raw), raw)
	}
}

// An Update.URL of a single-page status page, whose fragment is a path
// and then a query, is refused for a credential in that query only: the
// path's words ("auth", a component's name) name no parameter. A
// credential named as one word, or after a ";", is refused.
func TestCheckURLFragmentPathAndOneWordNames(t *testing.T) {
	for _, raw := range []string{
		"https://status.example.com/#/components/auth?tab=history",
		"https://status.example.com/#/incidents/token-expiry?page=2",
	} {
		assert.NoError(t, broadcast.CheckURL(raw), raw)
	}
	const secret = "s3cr3tPW0rd"
	for _, raw := range []string{
		"https://status.example.com/#/components/auth?tab=history&access_token=" + secret,
		"https://files.example.com/r.pdf?accesskey=" + secret,
		"https://files.example.com/r.pdf?v=2;token=" + secret,
		"https://files.example.com/r.pdf?%74oken=" + secret,
	} {
		err := broadcast.CheckURL(raw)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, raw)
		if err != nil {
			assert.NotContains(t, err.Error(), secret)
		}
	}
}
