package email_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// authBeforeTLS reports whether a connection of srv sent AUTH before
// STARTTLS: credentials in the clear.
func authBeforeTLS(srv interface{ verbs(int) []string }, conns int) bool {
	for c := 1; c <= conns; c++ {
		v := srv.verbs(c)
		if a := slices.Index(v, "AUTH"); a >= 0 && (slices.Index(v, "STARTTLS") < 0 || a < slices.Index(v, "STARTTLS")) {
			return true
		}
	}
	return false
}

// A server listing its EHLO keywords in lower case ("starttls"; RFC 5321
// section 2.4 has them case-insensitive) offers STARTTLS all the same:
// the channel upgrades and sends. go-mail reads the keywords in upper
// case only, and the channel failed for good, saying that the server
// does not offer STARTTLS.
func TestLowerCaseStartTLSIsUsed(t *testing.T) {
	srv := startSMTP(t, serverOptions{lower: true})
	cfg := config(srv, "alice@example.net")
	cfg.Username, cfg.Password = "", redact.NewSecret("")
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
	require.Len(t, srv.messages(), 1)
	assert.Contains(t, srv.verbs(1), "STARTTLS")
}

// Over a connection in plain text to a loopback relay (TLSPlaintext), a
// server listing "auth plain login" in lower case offers AUTH all the
// same: the channel logs in and sends. It failed for good, saying that
// the server offers no AUTH and to set Config.Auth to NONE.
func TestLowerCaseAuthInPlainTextIsUsed(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true, lower: true})
	cfg := config(srv, "alice@example.net")
	cfg.TLS, cfg.TLSConfig = email.TLSPlaintext, nil
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
	require.Len(t, srv.messages(), 1)
	assert.Contains(t, srv.verbs(1), "AUTH")
}

// Where the lower-case keywords come inside TLS (after STARTTLS, or with
// TLSImplicit), go-mail reads no AUTH: the channel fails for good,
// without sending the credentials or the message, and, once it has seen
// the server write its keywords in lower case, says so rather than
// advise logging in no more.
func TestLowerCaseAuthInsideTLSFailsLoudly(t *testing.T) {
	for name, implicit := range map[string]bool{"STARTTLS": false, "implicit TLS": true} {
		t.Run(name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, implicit: implicit, lower: true})
			cfg := config(srv, "alice@example.net")
			if implicit {
				cfg.TLS = email.TLSImplicit
			}
			_, err := newChannel(t, cfg).Send(context.Background(), broadcast.Message{Update: incident(1)})
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), testPass)
			assert.Empty(t, srv.messages())
			assert.False(t, authBeforeTLS(srv, 3), "AUTH in the clear")
			if !implicit {
				assert.Contains(t, srv.verbs(1), "STARTTLS")
				assert.Contains(t, err.Error(), "lower case")
				assert.NotContains(t, err.Error(), "set Config.Auth to NONE")
			}
		})
	}
}

// Over a connection in plain text (TLSPlaintext), where the channel reads
// the keywords whatever their case, a server listing them in lower case
// and no AUTH at all offers no AUTH: the error advises setting
// Config.Auth to NONE, as for a server in upper case. It blamed the
// lower case, inside TLS, which this connection never had, and advised
// having the server list its keywords in upper case, which would change
// nothing.
func TestLowerCaseWithoutAuthInPlainTextAdvisesNone(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true, lower: true, mechs: "-"})
	cfg := config(srv, "alice@example.net")
	cfg.TLS, cfg.TLSConfig = email.TLSPlaintext, nil
	_, err := newChannel(t, cfg).Send(context.Background(), broadcast.Message{Update: incident(1)})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "set Config.Auth to NONE")
	assert.NotContains(t, err.Error(), "lower case")
	assert.NotContains(t, err.Error(), testPass)
	assert.Empty(t, srv.messages())
}

// A server listing AUTH before STARTTLS, its mechanisms in lower case
// ("AUTH plain login"), lists them so inside TLS, where go-mail finds
// none: the error says so, as for a lower-case keyword. Only the
// keywords' case was noted, and the error said the server offers none of
// PLAIN and LOGIN and to set Config.Auth to a method it offers, which it
// does.
func TestLowerCaseMechanismsInsideTLSNamed(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, authInText: true, mechs: "plain login"})
	cfg := config(srv, "alice@example.net")
	_, err := newChannel(t, cfg).Send(context.Background(), broadcast.Message{Update: incident(1)})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "lower case")
	assert.NotContains(t, err.Error(), "offers none of")
	assert.NotContains(t, err.Error(), testPass)
	assert.Empty(t, srv.messages())
	assert.False(t, authBeforeTLS(srv, 3), "AUTH in the clear")
}
