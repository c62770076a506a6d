package email_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// TestEchoSplitAcrossReplyLinesRedacted: a server that quotes the
// credentials in a multi-line reply (RFC 5321, 4.2.1), its text wrapped
// over the lines, each after the reply code and the enhanced status code
// (RFC 2034, 3), may cut the password, or its base64 form, between two
// lines. No error, RecipientError or Ledger entry shows it, in either
// half: the reply's lines read on, so the halves together are the
// password.
func TestEchoSplitAcrossReplyLinesRedacted(t *testing.T) {
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + testUser + "\x00" + testPass))
	login := base64.StdEncoding.EncodeToString([]byte(testPass))
	split := func(code, lead, s string, at int) string {
		return code + "-" + lead + " you sent " + s[:at] + "\r\n" + code + " " + lead + " " + s[at:] + " (check your settings)"
	}
	tests := []struct {
		name   string
		auth   email.AuthMethod
		script func(s *fakeSMTP)
		check  bool
	}{
		{name: "the password in a 535", script: func(s *fakeSMTP) { s.authAll = split("535", "5.7.8", testPass, 8) }, check: true},
		{name: "AUTH PLAIN in a 535", script: func(s *fakeSMTP) { s.authAll = split("535", "5.7.8", plain, 20) }, check: true},
		{name: "AUTH LOGIN in a 535", auth: email.AuthLogin,
			script: func(s *fakeSMTP) { s.authAll = split("535", "5.7.8", login, 10) }, check: true},
		{name: "the password in a 535 without enhanced codes",
			script: func(s *fakeSMTP) { s.authAll = "535-you sent " + testPass[:5] + "\r\n535 " + testPass[5:] }, check: true},
		{name: "a refused recipient", script: func(s *fakeSMTP) {
			s.rcptFor["a@example.net"] = split("550", "5.7.1", testPass, 6)
			s.rcptFor["b@example.net"] = split("550", "5.7.1", plain, 30)
		}},
		{name: "a deferred recipient", script: func(s *fakeSMTP) { s.dataPlan["a@example.net"] = []string{split("451", "4.3.0", testPass, 9)} }},
		{name: "a refused sender", script: func(s *fakeSMTP) { s.mailAll = split("553", "5.7.1", testPass, 4) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(tt.script)
			cfg := config(srv, "a@example.net", "b@example.net")
			if tt.auth != "" {
				cfg.Auth = tt.auth
			}
			ch := newChannel(t, cfg)
			m := broadcast.NewMessage(incident(1))
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			shown := chainText(err)
			if tt.check {
				cerr := ch.Check(context.Background())
				require.Error(t, cerr)
				shown += chainText(cerr)
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
			channeltest.AssertNoSecret(t, shown, testPass)
			for _, half := range []string{testPass[:len(testPass)/2], testPass[len(testPass)/2:]} {
				assert.NotContains(t, shown, half)
			}
			for _, half := range []string{plain[16:28], login[:8], login[10:]} {
				assert.NotContains(t, shown, half)
			}
		})
	}
}
