package email_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// chainText is err and every error it wraps, printed with %v and %#v:
// what a caller walking the chain could show.
func chainText(err error) string {
	var s string
	for e := err; e != nil; e = errors.Unwrap(e) {
		s += fmt.Sprintf("%v\n%#v\n", e, e)
	}
	return s
}

// TestEchoedCredentialsRedacted: a server that quotes the credentials it
// received (the AUTH lines in base64, and what they decode to) in a reply
// never gets them into an error, a RecipientError, or the Ledger, whatever
// the mechanism and whichever reply quotes them.
func TestEchoedCredentialsRedacted(t *testing.T) {
	const quoting = "authentication failed: " + echoCreds
	xoauth2 := func(c *email.Config) { c.Password, c.TokenSource = redact.NewSecret(""), staticToken(testToken) }
	tests := []struct {
		name      string
		server    serverOptions
		change    func(c *email.Config)
		script    func(s *fakeSMTP)
		check     bool // Check fails too
		permanent bool
	}{
		{name: "AUTH PLAIN in a 535", script: func(s *fakeSMTP) { s.authAll = "535 5.7.8 " + quoting },
			check: true, permanent: true},
		{name: "AUTH LOGIN in a 535", change: func(c *email.Config) { c.Auth = email.AuthLogin },
			script: func(s *fakeSMTP) { s.authAll = "535 5.7.8 " + quoting }, check: true, permanent: true},
		// A 535 to XOAUTH2 whose refresh gives the same token is transient.
		{name: "XOAUTH2 in a 535", server: serverOptions{user: testUser, token: testToken}, change: xoauth2,
			script: func(s *fakeSMTP) { s.authAll = "535 5.7.8 " + quoting }, check: true},
		{name: "XOAUTH2 in a 454", server: serverOptions{user: testUser, token: testToken}, change: xoauth2,
			script: func(s *fakeSMTP) { s.authAll = "454 4.7.0 " + quoting }, check: true},
		{name: "a refused sender", script: func(s *fakeSMTP) { s.mailAll = "553 5.7.1 " + quoting }, permanent: true},
		{name: "a refused recipient", script: func(s *fakeSMTP) {
			s.rcptFor["a@example.net"] = "550 5.7.1 " + quoting
			s.rcptFor["b@example.net"] = "550 5.7.1 " + quoting
		}, permanent: true},
		{name: "a deferred recipient", script: func(s *fakeSMTP) { s.dataPlan["a@example.net"] = []string{"451 4.3.0 " + quoting} }},
		{name: "a refused message, XOAUTH2", server: serverOptions{user: testUser, token: testToken}, change: xoauth2,
			script: func(s *fakeSMTP) { s.dataPlan["b@example.net"] = []string{"554 5.7.1 " + quoting} }},
		// One connection: the second message waits behind the first, whose
		// 421 ends the connection and puts the second back in the queue.
		{name: "a 421 at the end of DATA, pipelined", change: func(c *email.Config) { c.Concurrency = 1 },
			script: func(s *fakeSMTP) { s.dataAll = "421 4.3.0 closing: " + quoting }},
		{name: "a 421 at the end of DATA, in turn", server: serverOptions{user: testUser, pass: testPass, inTurn: true},
			change: func(c *email.Config) { c.Concurrency = 1 },
			script: func(s *fakeSMTP) { s.dataAll = "421 4.3.0 closing: " + quoting }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.server.user == "" {
				tt.server = serverOptions{user: testUser, pass: testPass}
			}
			srv := startSMTP(t, tt.server)
			srv.script(tt.script)
			cfg := config(srv, "a@example.net", "b@example.net")
			if tt.change != nil {
				tt.change(&cfg)
			}
			ch := newChannel(t, cfg)
			m := broadcast.NewMessage(incident(1))
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			shown := chainText(err)
			if tt.check {
				cerr := ch.Check(context.Background())
				require.Error(t, cerr)
				shown += chainText(cerr)
			}
			if err != nil {
				assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "permanent: %v", err)
			}
			for _, f := range ledger.Failed() {
				shown += chainText(f)
				var re *email.RecipientError
				if assert.ErrorAs(t, f, &re) {
					shown += re.Reply
				}
			}
			assert.Contains(t, shown, "you sent", "the server quoted the credentials")
			assert.Contains(t, shown, "REDACTED", "and they were redacted")
			channeltest.AssertNoSecret(t, shown, testPass, testToken)
		})
	}
}

// TestEchoedTokenOfKeptConnectionRedacted: a connection kept from an
// earlier Send authenticated with that Send's XOAUTH2 token; the next Send
// takes it up without fetching a token of its own. A server that quotes
// the AUTH exchange of the session in a later reply gets that token into
// no error and no Ledger entry of the next Send either.
func TestEchoedTokenOfKeptConnectionRedacted(t *testing.T) {
	for _, tt := range []struct {
		name   string
		script func(s *fakeSMTP)
	}{
		{"a refused recipient", func(s *fakeSMTP) { s.rcptFor["a@example.net"] = "550 5.7.1 " + echoCreds }},
		{"a deferred recipient", func(s *fakeSMTP) { s.rcptFor["a@example.net"] = "451 4.7.1 " + echoCreds }},
		{"a refused sender", func(s *fakeSMTP) { s.mailAll = "553 5.7.1 " + echoCreds }},
		{"a 421", func(s *fakeSMTP) { s.mailAll = "421 4.7.0 closing: " + echoCreds }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			cfg := config(srv, "a@example.net")
			cfg.Password, cfg.TokenSource = redact.NewSecret(""), staticToken(testToken)
			cfg.Concurrency = 1
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1)))
			require.NoError(t, err)

			srv.script(tt.script)
			m := broadcast.NewMessage(incident(2))
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err = ch.Send(context.Background(), m)
			require.Error(t, err)
			shown := chainText(err)
			for _, f := range ledger.Failed() {
				shown += chainText(f)
			}
			assert.Contains(t, shown, "you sent", "the server quoted the credentials")
			channeltest.AssertNoSecret(t, shown, testToken)
		})
	}
}
