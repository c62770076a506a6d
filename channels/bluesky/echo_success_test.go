package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// rewritingFront forwards to f, and lets rewrite change the JSON answer
// of the method nsid (its request given), as a relay or a server other
// than the reference one may answer.
func rewritingFront(t *testing.T, f *fakePDS, nsid string, rewrite func(req *http.Request, out map[string]any)) string {
	t.Helper()
	pds, err := url.Parse(f.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(pds)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/xrpc/"+nsid || resp.StatusCode/100 != 2 {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			return err
		}
		rewrite(resp.Request, out)
		if body, err = json.Marshal(out); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	return front.URL
}

// assertNotServers checks err is the Permanent error of an answer that is
// not the server's, naming Config.Service, quoting no secret, and saying
// nothing of refused credentials.
func assertNotServers(t *testing.T, err error, op string) {
	t.Helper()
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "an echo is no answer to retry: %v", err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Contains(t, err.Error(), "bluesky: "+op+": not the XRPC server's answer (check Config.Service)")
	assert.NotContains(t, err.Error(), "refused the credentials")
	channeltest.AssertNoSecret(t, err.Error(), testSecrets...)
}

// A createRecord answer that quotes the session's access token (a relay's
// or a debugging proxy's echo of the request) is not the server's: Send
// fails Permanent, naming Config.Service, as the other channels refuse
// such an answer. So do Check and Retract, whose answers quote it too.
// Before, Send's error was transient (retried against the same relay
// until the Broadcaster gave up) and Check took the echo for success.
func TestEchoedSuccessIsNotTheServers(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.Fail(channeltest.FailEchoDelivered)

	u := testUpdate()
	u.ID, u.Body = "update-2", "Another update."
	r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	assertNotServers(t, err, opPost)
	assert.Empty(t, r.ID)
	assertNotServers(t, ch.Check(context.Background()), opCheck)
	assertNotServers(t, ch.Retract(context.Background(), prev), opDelete)
}

// A record key that a token follows without a separator is of a record
// key's characters (a JWT's are), and so passed the check of the uri's
// form: the uri is now checked against the credentials themselves, and
// the answer refused. Before, the Receipt's ID, URL and Meta held the
// access token.
func TestRecordKeyQuotingTokenRefused(t *testing.T) {
	f := newFakePDS(t)
	front := rewritingFront(t, f, "com.atproto.repo.createRecord", func(req *http.Request, out map[string]any) {
		tok, _ := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		out["uri"] = out["uri"].(string) + tok
	})
	ch := newTestChannel(t, f, func(c *Config) { c.Service = front })
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	channeltest.AssertNoSecret(t, fmt.Sprint(r), testSecrets...)
	assertNotServers(t, err, opPost)
}

// A login answer that quotes the app password it was sent (a relay
// echoing the request) is no session: the login fails Permanent, naming
// Config.Service, and the channel keeps no session of it. Before, the
// echoed tokens became the session, and the posts made with it failed
// with "the server refused the credentials".
func TestEchoedLoginRefused(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	f.Fail(channeltest.FailEchoDelivered)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	assertNotServers(t, err, "log in")
	assert.Empty(t, f.received("com.atproto.repo.createRecord"), "no post with an echoed token")
	cur, _, _ := ch.s.sessions.state()
	assert.Nil(t, cur, "no session kept")

	f.Fail(channeltest.FailNone)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err, "a later call logs in again")
}

// A refreshSession answer that quotes the refresh token it was sent is no
// session either: Permanent, naming Config.Service, and no login follows
// (the relay would echo that too, paying from the login limit).
func TestEchoedRefreshRefused(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	require.NoError(t, ch.Check(context.Background()))
	f.expireAccess()
	f.Fail(channeltest.FailEchoDelivered) // the ExpiredToken error passes as it is
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	assertNotServers(t, err, "refresh session")
	logins, refreshes := f.counts()
	assert.Equal(t, 1, logins, "no second login")
	assert.Equal(t, 1, refreshes)
	assert.Empty(t, f.received("com.atproto.repo.createRecord")[1:], "no post with an echoed token")
}

// A server that does not rotate refresh tokens answers refreshSession
// with the refresh token it was sent, as its whole value: that is its
// session, not an echo.
func TestRefreshKeepingRefreshToken(t *testing.T) {
	f := newFakePDS(t)
	front := rewritingFront(t, f, "com.atproto.server.refreshSession", func(req *http.Request, out map[string]any) {
		out["refreshJwt"], _ = strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	})
	ch := newTestChannel(t, f, func(c *Config) { c.Service = front })
	require.NoError(t, ch.Check(context.Background()))
	f.expireAccess()
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	_, refreshes := f.counts()
	assert.Equal(t, 1, refreshes)
}

// A retry that finds its record key taken, and whose read back is
// answered by an echo of the request, cannot tell whether the post
// exists, and no later attempt can through the same relay: Permanent,
// naming Config.Service and saying the post may exist. Before, the echo
// counted as no record there, and the transient answer to createRecord
// stood, retried until the Broadcaster gave up.
func TestEchoedReadBackRefused(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	m := broadcast.NewMessage(testUpdate())
	lostPost(t, f, ch, m)
	f.Fail(channeltest.FailEchoDelivered) // createRecord's 500 passes as it is
	m.Attempt = 2
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Contains(t, err.Error(), "the post may exist")
	assert.Contains(t, err.Error(), "read back: not the XRPC server's answer (check Config.Service)")
	channeltest.AssertNoSecret(t, err.Error(), testSecrets...)
	assert.Len(t, f.Received(), 1, "one post")
}

// A login answer of JSON without a session (no tokens, or no DID) is not
// the server's either: Permanent, naming Config.Service. Before, it was
// transient, and each retry logged in again, paying from the login limit.
func TestLoginAnswerWithoutSession(t *testing.T) {
	f := newFakePDS(t)
	front := rewritingFront(t, f, "com.atproto.server.createSession", func(_ *http.Request, out map[string]any) {
		delete(out, "accessJwt")
	})
	ch := newTestChannel(t, f, func(c *Config) { c.Service = front })
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Contains(t, err.Error(), "bluesky: log in: not the XRPC server's answer (check Config.Service)")
	channeltest.AssertNoSecret(t, err.Error(), testSecrets...)
}
