package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// refusedCredential is what the error of a refused credential adds: the
// fields to fix.
const refusedCredential = "(refused the credential: check Config."

// A 535 to AUTH (RFC 4954 section 6: the credentials are invalid) ends the
// error, of Check and of Send, with the Config fields that hold them: the
// user and the password, or the user and the TokenSource with XOAUTH2.
// A 534 (RFC 4954: the mechanism is too weak for the user; Gmail: an app
// password or a web login is required) refuses the password for the
// mechanism: it names the password and the mechanism. 538 (encryption is
// required) and 454 (a temporary failure, which stays transient) refuse
// no credential, and name none. The marks stay as the reply decided them, and the password
// never shows.
func TestRefusedCredentialNamesFields(t *testing.T) {
	const password = "(refused the credential: check Config.Username and Config.Password)"
	const weak = "(refused the credential: check Config.Password or Config.Auth)"
	tests := []struct {
		name      string
		server    serverOptions
		reply     string // to every AUTH, "" the server's own answer
		change    func(c *email.Config)
		permanent bool
		suffix    string // "" names no field
	}{
		{name: "PLAIN, wrong password", server: serverOptions{user: testUser, pass: "other"},
			permanent: true, suffix: password},
		{name: "LOGIN, 535 5.7.8", server: serverOptions{user: testUser, pass: testPass},
			reply: "535 5.7.8 Authentication credentials invalid", change: func(c *email.Config) { c.Auth = email.AuthLogin },
			permanent: true, suffix: password},
		{name: "535 without an enhanced code", server: serverOptions{user: testUser, pass: testPass},
			reply: "535 Incorrect authentication data", permanent: true, suffix: password},
		{name: "535 5.7.3 (Exchange)", server: serverOptions{user: testUser, pass: testPass},
			reply: "535 5.7.3 Authentication unsuccessful", permanent: true, suffix: password},
		{name: "534 mechanism too weak", server: serverOptions{user: testUser, pass: testPass},
			reply: "534 5.7.9 Authentication mechanism is too weak", permanent: true, suffix: weak},
		{name: "534 5.7.9 app password required (Gmail)", server: serverOptions{user: testUser, pass: testPass},
			reply: "534 5.7.9 Application-specific password required.", change: func(c *email.Config) { c.Auth = email.AuthLogin },
			permanent: true, suffix: weak},
		{name: "534 5.7.14 web login (Gmail)", server: serverOptions{user: testUser, pass: testPass},
			reply: "534 5.7.14 Please log in with your web browser and then try again.", permanent: true, suffix: weak},
		{name: "538 encryption required", server: serverOptions{user: testUser, pass: testPass},
			reply: "538 5.7.11 Encryption required for requested authentication mechanism", permanent: true},
		{name: "454 temporary failure", server: serverOptions{user: testUser, pass: testPass},
			reply: "454 4.7.0 Temporary authentication failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.server)
			if tt.reply != "" {
				srv.script(func(s *fakeSMTP) { s.authAll = tt.reply })
			}
			cfg := config(srv, "alice@example.net")
			if tt.change != nil {
				tt.change(&cfg)
			}
			for name, err := range map[string]error{
				"Check": newChannel(t, cfg).Check(context.Background()),
				"Send":  sendErr(newChannel(t, cfg)),
			} {
				require.Error(t, err, name)
				assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%s: permanent: %v", name, err)
				if tt.suffix == "" {
					assert.NotContains(t, err.Error(), refusedCredential, name)
				} else {
					assert.True(t, strings.HasSuffix(err.Error(), tt.suffix), "%s: %v", name, err)
				}
				assert.NotContains(t, err.Error(), testPass, name)
			}
		})
	}
}

// With XOAUTH2 a 535 to the fresh token (permanent), or to the same
// token handed out again (transient), names Config.TokenSource.
func TestRefusedTokenNamesTokenSource(t *testing.T) {
	const tokenSource = "(refused the credential: check Config.Username and Config.TokenSource)"
	t.Run("fresh token refused", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		src := &tokenSequence{toks: []string{"ya29.revoked-1", "ya29.revoked-2"}}
		err := sendAttempt(newChannel(t, xoauth2Config(srv, src, "alice@example.net")), 1, 1)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.True(t, strings.HasSuffix(err.Error(), tokenSource), "%v", err)
		assert.NotContains(t, err.Error(), "ya29.revoked")
	})
	t.Run("534 names the mechanism", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		srv.script(func(s *fakeSMTP) { s.authAll = "534 5.7.9 Authentication mechanism is too weak" })
		src := &tokenSequence{toks: []string{"ya29.weak-1"}}
		err := sendAttempt(newChannel(t, xoauth2Config(srv, src, "alice@example.net")), 1, 1)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.True(t, strings.HasSuffix(err.Error(), "(refused the credential: check Config.Auth)"), "%v", err)
		assert.NotContains(t, err.Error(), "ya29.weak")
	})
	t.Run("same token again", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		src := &tokenSequence{toks: []string{"ya29.stale-1"}}
		err := sendAttempt(newChannel(t, xoauth2Config(srv, src, "alice@example.net")), 1, 1)
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err), "%v", err)
		assert.ErrorContains(t, err, "the same token again")
		assert.True(t, strings.HasSuffix(err.Error(), tokenSource), "%v", err)
		assert.NotContains(t, err.Error(), "ya29.stale")
	})
}

// A 538 to AUTH (RFC 4954 section 6: the mechanism needs an encrypted
// connection) over a connection Config.TLS left in plain text names
// Config.TLS, permanent; no credential is named.
func TestEncryptionRequiredNamesTLS(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true})
	srv.script(func(s *fakeSMTP) { s.authAll = "538 5.7.11 Encryption required for requested authentication mechanism" })
	cfg := config(srv, "alice@example.net")
	cfg.TLS, cfg.TLSConfig = email.TLSPlaintext, nil
	err := newChannel(t, cfg).Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "Config.TLS")
	assert.ErrorContains(t, err, "538")
	assert.NotContains(t, err.Error(), refusedCredential)
}
