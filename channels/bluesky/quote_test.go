package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// credentialForms are the ways a server may echo a credential: as is,
// percent-escaped, in base64 and hex, and with its punctuation as JSON \u
// escapes (which an XRPC error's message decodes).
var credentialForms = map[string]func(string) string{
	"plain":  func(s string) string { return s },
	"query":  url.QueryEscape,
	"base64": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"hex":    func(s string) string { return hex.EncodeToString([]byte(s)) },
	"json": func(s string) string {
		var b strings.Builder
		for _, c := range s {
			if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
				b.WriteRune(c)
			} else {
				fmt.Fprintf(&b, `\u%04x`, c)
			}
		}
		return b.String()
	},
}

// Every text of an answer that an error of Send, Retract or Check quotes
// passes through httpx.RedactedSnippet or, for a body, httpx.BodySnippet,
// the ways every channel quotes a server: redacted whole, then cut. The answers here quote the credential
// of the request (the app password of a login, the access token of a
// session) in each form a server may echo it in, in each shape an XRPC
// server or another server in its place answers with (httpx redacts the
// body of a non-2xx, not of a 2xx, so each is tried), with the quote whole
// before the snippet's cut and across it. The test fails if any of them
// shows a credential, or the start of one of its forms, anywhere: the
// error's text under every verb. It also gives each answer to classify as
// it is, unredacted, so that a quote that relies on httpx's redaction of a
// non-2xx body fails too.
func TestQuotedAnswerRedacted(t *testing.T) {
	xrpc := func(name string) func(string) string {
		return func(text string) string { return `{"error":"` + name + `","message":"` + text + `"}` }
	}
	shapes := []struct {
		name, contentType string
		status            int
		body              func(text string) string
	}{
		{"200 page", "text/html", 200, func(s string) string { return s }},
		{"400 XRPC error", "application/json", 400, xrpc("InvalidRequest")},
		{"401 XRPC error", "application/json", 401, xrpc("AuthenticationRequired")},
		{"429 XRPC error", "application/json", 429, xrpc("RateLimitExceeded")},
		{"500 XRPC error", "application/json", 500, xrpc(errInternal)},
		{"400 XRPC error named by the quote", "application/json", 400,
			func(s string) string { return `{"error":"` + s + `","message":"refused"}` }},
		{"404 page", "text/html", 404, func(s string) string { return s }},
		{"502 page", "text/html", 502, func(s string) string { return s }},
	}
	type canned struct {
		contentType string
		status      int
		body        func(text string) string
		form        func(string) string
		k           int // bytes of the form before the snippet's cut
	}
	var answer atomic.Pointer[canned]
	var echoed atomic.Pointer[[2]string] // the last credential quoted, and its form
	f := newFakePDS(t)
	pds, err := url.Parse(f.URL)
	require.NoError(t, err)
	forward := httputil.NewSingleHostReverseProxy(pds)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answer.Load()
		if a == nil { // the PDS's own answer
			forward.ServeHTTP(w, r)
			return
		}
		login := r.URL.Path == "/xrpc/com.atproto.server.createSession"
		credential := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if login {
			var in struct{ Password string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			credential = in.Password
		}
		form := a.form(credential)
		echoed.Store(&[2]string{credential, form})
		const visible = httpx.SnippetLimit - len("…")
		text := strings.Repeat("x", max(visible-1-a.k, 0)) + " " + form + " refused"
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body(text)))
	}))
	t.Cleanup(front.Close)
	loggedOut := newTestChannel(t, f, func(c *Config) { c.Service = front.URL })
	loggedIn := newTestChannel(t, f, func(c *Config) { c.Service = front.URL })
	prev, err := loggedIn.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	inPlay := []string{testPassword, fakeJWT("access", 1), fakeJWT("refresh", 1)} // the session's

	for _, sh := range shapes {
		for name, form := range credentialForms {
			// The same answers, as classify gets them from a client that
			// redacted nothing: the quote is redacted there too, whether
			// or not httpx redacted the body.
			for _, k := range []int{12, 100} {
				text := strings.Repeat("x", max(httpx.SnippetLimit-len("…")-1-k, 0)) + " " + form(testPassword) + " refused"
				r := &httpx.Response{Status: sh.status, Header: http.Header{"Content-Type": {sh.contentType}}, Body: []byte(sh.body(text))}
				err := loggedOut.classify("log in", r, loggedOut.s.redactor)
				require.Error(t, err)
				where := fmt.Sprintf("classify: %s, %s form, %d bytes of it before the cut", sh.name, name, k)
				if !channeltest.AssertNoSecret(t, err.Error(), testPassword) {
					t.Log(where)
				}
				assert.NotContainsf(t, err.Error(), testPassword[:12], where)
				assert.NotContainsf(t, err.Error(), form(testPassword)[:12], where)
			}
			for _, which := range []string{"login", "session"} {
				ch := map[string]*Channel{"login": loggedOut, "session": loggedIn}[which]
				for _, k := range []int{12, 100, 400} {
					answer.Store(&canned{sh.contentType, sh.status, sh.body, form, k})
					where := fmt.Sprintf("%s, %s, %s form, %d bytes of it before the cut", sh.name, which, name, k)
					_, sendErr := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
					for op, err := range map[string]error{"send": sendErr, "retract": ch.Retract(context.Background(), prev),
						"check": ch.Check(context.Background())} {
						require.Errorf(t, err, "%s: %s", op, where)
						s := fmt.Sprintf("%v\n%+v\n%#v\n%q", err, err, err, err)
						if !channeltest.AssertNoSecret(t, s, inPlay...) {
							t.Logf("%s: %s", op, where)
						}
						for _, quoted := range echoed.Load() {
							assert.NotContainsf(t, s, quoted[:12], "%s: %s: the start of the credential or its form shows", op, where)
						}
					}
				}
			}
		}
	}
}

// A successful answer is used as it came, or not at all: no Redactor
// rewrites it (redacting every answer would cost each delivery a copy of
// it; the webhook benchmark measured that), and one whose text a Redactor
// would change quotes a credential, as an echo of the request does, and is
// refused whole. The test gives the channel a Redactor of the account's
// DID, which the session's and the post's answers name, in place of the
// password's: the login's answer is refused, never kept redacted.
func TestSuccessNotRedacted(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	ch.s.redactor = redact.NewRedactor(redact.NewSecret(testDID))
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Zero(t, r)
	cur, _, _ := ch.s.sessions.state()
	assert.Nil(t, cur, "no session, redacted or not")
	assert.Empty(t, f.Received())
}
