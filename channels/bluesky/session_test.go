package bluesky

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// N posts, sequential or concurrent, make one login.
func TestSessionReused(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			u := testUpdate()
			u.ID, u.Title = "", u.Title+" "+string(rune('A'+i))
			_, errs[i] = ch.Send(context.Background(), broadcast.NewMessage(u))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	for i := range 4 {
		u := testUpdate()
		u.ID, u.Body = "", strings.Repeat("x", i+1)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
	}
	require.NoError(t, ch.Check(context.Background()))
	logins, refreshes := f.counts()
	assert.Equal(t, 1, logins, "one createSession for 12 posts and a check")
	assert.Equal(t, 0, refreshes)
	assert.Len(t, f.Received(), 12)
}

// An expired access token is renewed with refreshSession, once for all
// concurrent calls, and the post goes out; an expired refresh token too
// makes one new login.
func TestSessionRenewed(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	require.NoError(t, ch.Check(context.Background()))
	f.expireAccess()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() {
			u := testUpdate()
			u.ID, u.Title = "", u.Title+" "+string(rune('A'+i))
			_, errs[i] = ch.Send(context.Background(), broadcast.NewMessage(u))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	logins, refreshes := f.counts()
	assert.Equal(t, 1, logins)
	assert.Equal(t, 1, refreshes, "one refresh for five posts that found the token expired")

	f.expireAccess()
	f.expireRefresh()
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	logins, refreshes = f.counts()
	assert.Equal(t, 2, logins, "the refresh token was refused: one new login")
	assert.Equal(t, 1, refreshes)
	assert.Len(t, f.Received(), 6)
}

// A refused login is permanent, says why, and shows no password.
func TestLoginRefused(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f, func(c *Config) { c.AppPassword = redact.NewSecret("wrong-pass-word-1234") })
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, "bluesky: log in: the server refused the credentials: server answered 401 AuthenticationRequired: "+
		"Invalid identifier or password (refused the credential: check Config.Identifier and Config.AppPassword)", err.Error())
	var xe *XRPCError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, "AuthenticationRequired", xe.Name)
	assert.Empty(t, f.received("com.atproto.repo.createRecord"))
}

// A server that echoes the session's access token, which the channel did
// not have in its Config, finds it redacted in the error.
func TestEchoedSessionTokenRedacted(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	require.NoError(t, ch.Check(context.Background()))
	f.Fail(channeltest.FailEcho)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), testSecrets...)
	assert.Contains(t, err.Error(), "authorization=Bearer REDACTED", "the echo reached the error, redacted")
}

// A proxy's 401 to refreshSession, an HTML page without the XRPC error
// body every refusal of the PDS carries ({"error","message"}:
// https://atproto.com/specs/xrpc#error-responses), refuses no refresh
// token: it is another server's answer, Permanent and naming
// Config.Service, and the channel does not log in again (a login the
// account's tight limit, 30 per 5 minutes, pays for, and which the same
// proxy would answer). Before, any 401 to the refresh made one new login.
func TestProxy401OnRefreshIsForeign(t *testing.T) {
	f := newFakePDS(t)
	pds, err := url.Parse(f.URL)
	require.NoError(t, err)
	forward := httputil.NewSingleHostReverseProxy(pds)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/xrpc/com.atproto.server.refreshSession" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "<html><body><h1>401 Authorization Required</h1><hr>nginx</body></html>")
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	ch := newTestChannel(t, f, func(c *Config) { c.Service = front.URL })
	require.NoError(t, ch.Check(context.Background()))
	f.expireAccess()

	_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Contains(t, err.Error(), "refresh session: not the XRPC server's answer (check Config.Service)")
	assert.NotContains(t, err.Error(), "refused the credentials")
	logins, _ := f.counts()
	assert.Equal(t, 1, logins, "no second login")
	assert.Empty(t, f.Received())
}

// A captive portal answers the login, and every later request, with its
// own whole 200 page, here quoting the request it got (the password in
// its body): the page is no session, post or deletion of the server's.
// Send, Retract and Check fail Permanent, naming Config.Service, and show
// no secret. Before, the login said "the server answered without a
// session" (transient, retried against the same page) and, with a
// session, Retract and Check took the page for success.
func TestCaptivePortalIsForeign(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		channeltest.ForeignPage(w, r, http.StatusOK)
	}))
	t.Cleanup(portal.Close)
	fresh := newTestChannel(t, f, func(c *Config) { c.Service = portal.URL })
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.Fail(channeltest.FailForeign) // the session made, the portal takes over

	_, sendErr := fresh.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	for name, err := range map[string]error{"login": sendErr, "retract": ch.Retract(context.Background(), r),
		"check": ch.Check(context.Background())} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
		assert.ErrorIs(t, err, errNotXRPC, name)
		channeltest.AssertNoSecret(t, err.Error(), testSecrets...)
	}
	f.Fail(channeltest.FailNone)
	assert.False(t, f.Received()[0].Deleted, "the post is not deleted")
}

// When an access token expires is read from its claims: with "iat", the
// token's lifetime from when it came, by the channel's clock (a clock
// hours off from the server's renews neither at once nor never); without,
// its "exp"; a token without "exp", or not a JWT, has no known expiry.
func TestAccessExpiry(t *testing.T) {
	enc := func(claims string) string {
		return "eyJhbGciOiJFUzI1NksifQ." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, now.Add(2*time.Hour), accessExpiry(enc(`{"iat":1000,"exp":8200}`), now))
	assert.Equal(t, time.Unix(8200, 0), accessExpiry(enc(`{"exp":8200}`), now))
	assert.True(t, accessExpiry(enc(`{"sub":"did:plc:x"}`), now).IsZero())
	assert.True(t, accessExpiry("opaque-token", now).IsZero())
	assert.True(t, accessExpiry("a.!!!.c", now).IsZero())
	s := &session{expires: now.Add(2 * time.Hour)}
	assert.False(t, s.expired(now.Add(time.Hour)))
	assert.True(t, s.expired(now.Add(2*time.Hour-expiryMargin)))
	assert.False(t, (&session{}).expired(now), "no known expiry: sent, and renewed if refused")
}

// An access token whose claims no server would issue says nothing of when
// to renew it: an "exp" past any time (which time.Unix wrapped round to
// one long past, so that the session was renewed before every request),
// or one not after its "iat" (renewed before every request too).
func TestAccessExpiryOfHostileClaims(t *testing.T) {
	enc := func(claims string) string {
		return "eyJhbGciOiJFUzI1NksifQ." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, claims := range []string{
		`{"exp":9223372036854775807}`,
		`{"exp":9223372036854775807,"iat":-5}`,
		`{"exp":9000000000000000000}`,
		`{"iat":8200,"exp":1000}`,
		`{"iat":8200,"exp":8200}`,
	} {
		exp := accessExpiry(enc(claims), now)
		assert.False(t, (&session{expires: exp}).expired(now), "%s: expires %v", claims, exp)
	}
	assert.Equal(t, now.Add(time.Duration(1<<30)*time.Second), accessExpiry(enc(`{"iat":1,"exp":200000000000}`), now), "a lifetime is capped")
}
