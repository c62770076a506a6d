package email_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// sizeOf sends u to cfg's recipients through srv, which advertises no
// SIZE, and returns the size of each message the server got, as RFC 1870
// (section 5) counts it, by recipient.
func sizeOf(t *testing.T, srv *fakeSMTP, cfg email.Config, u broadcast.Update) map[string]int {
	t.Helper()
	srv.script(func(s *fakeSMTP) { s.size = "" })
	ch := newChannel(t, cfg)
	before := len(srv.messages())
	send(t, ch, broadcast.NewMessage(u))
	out := map[string]int{}
	for _, m := range srv.messages()[before:] {
		out[m.to[0]] = messageSize([]byte(m.data))
	}
	require.Len(t, out, len(cfg.To))
	return out
}

// transactions counts the MAIL, RCPT and DATA commands the server read.
func transactions(srv *fakeSMTP) int {
	n := 0
	for _, c := range srv.commands() {
		switch c.verb {
		case "MAIL", "RCPT", "DATA":
			n++
		}
	}
	return n
}

// A server that advertises SIZE n (RFC 1870) refuses a message larger
// than n at the end of DATA, 552, after the whole message went out: the
// channel checks the limit itself before MAIL FROM. A message larger
// than the limit fails at once, for good (it will never fit), naming
// both sizes, with no command of a transaction sent; one of exactly n
// bytes goes out; and the connection stays for the next Send.
func TestSizeOverTheServersLimitFailsBeforeMail(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(fmt.Sprintf("inTurn=%v", inTurn), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
			to := "ops@example.net"
			cfg := config(srv, to)
			n := sizeOf(t, srv, cfg, incident(1))[to]

			srv.script(func(s *fakeSMTP) { s.size = fmt.Sprintf("SIZE %d", n-1) })
			ch := newChannel(t, cfg)
			conns, sent := srv.connections(), transactions(srv)
			m := broadcast.NewMessage(incident(1))
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes", n))
			assert.Contains(t, err.Error(), fmt.Sprintf("SIZE %d", n-1))
			assert.Contains(t, err.Error(), "Update.Body")
			assert.Equal(t, sent, transactions(srv), "no MAIL, RCPT or DATA")
			done, _ := ledger.Done(to)
			assert.False(t, done, "nothing reached the recipient")

			// The connection stays for the next Send, whose message fits.
			u := incident(2)
			u.Body = "Short."
			send(t, ch, broadcast.NewMessage(u))
			assert.Equal(t, conns+1, srv.connections(), "the connection kept after the refusal")

			// A message of exactly the limit goes out.
			srv.script(func(s *fakeSMTP) { s.size = fmt.Sprintf("SIZE %d", n) })
			send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
			got := srv.messages()
			assert.Equal(t, n, messageSize([]byte(got[len(got)-1].data)))
		})
	}
}

// The check is per message, not per recipient: every recipient's copy
// differs in its To (and List-Unsubscribe) only, and none is sent when
// the largest does not fit, rather than some recipients getting the
// update and the others not.
func TestSizeCheckedForTheLargestCopy(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	short, long := "a@example.net", "a-much-longer-mailbox-name-than-the-other@example.net"
	cfg := config(srv, short, long)
	cfg.Concurrency = 1
	sizes := sizeOf(t, srv, cfg, incident(1))
	require.Less(t, sizes[short], sizes[long])

	srv.script(func(s *fakeSMTP) { s.size = fmt.Sprintf("SIZE %d", sizes[short]) })
	ch := newChannel(t, cfg)
	sent := len(srv.messages())
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes", sizes[long]))
	assert.Len(t, srv.messages(), sent, "no recipient got the update")
}

// SIZE 0, and SIZE without a number, say no limit is in force (RFC
// 1870, section 3); a parameter that is no number as RFC 1870 writes one
// is ignored, as if there were none: it cannot say which messages the
// server takes, and refusing every message for it would stop the
// channel for a typo in a server's configuration.
func TestSizeWithoutALimit(t *testing.T) {
	for _, line := range []string{"SIZE 0", "SIZE", "SIZE  ", "SIZE abc", "SIZE -1", "SIZE 10 MB", "SIZE 1e3",
		"SIZE 0x10", "SIZE 99999999999999999999999"} {
		t.Run(line, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(func(s *fakeSMTP) { s.size = line })
			ch := newChannel(t, config(srv, recipients(2)...))
			send(t, ch, broadcast.NewMessage(incident(1)))
			assert.Len(t, srv.messages(), 2)
		})
	}
}

// With a ListUnsubscribeFunc, whose URLs may change from call to call,
// the check counts the List-Unsubscribe fields the messages go out with,
// the function called once per recipient.
func TestSizeWithAnUnsubscribeFunc(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, recipients(3)...)
	var mu sync.Mutex
	calls := 0
	cfg.ListUnsubscribeFunc = func(r string) string {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return "https://status.example.com/unsubscribe?r=" + url.QueryEscape(r)
	}
	srv.script(func(s *fakeSMTP) { s.size = "SIZE 100000" })
	send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
	assert.Len(t, srv.messages(), 3)
	mu.Lock()
	assert.Equal(t, 3, calls, "one call per recipient")
	mu.Unlock()

	srv.script(func(s *fakeSMTP) { s.size = "SIZE 1000" })
	_, err := newChannel(t, cfg).Send(context.Background(), broadcast.NewMessage(incident(1)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "the message is ")
	assert.Contains(t, err.Error(), "SIZE 1000")
	assert.Len(t, srv.messages(), 3)
}

// mailSize returns the SIZE= parameter of a MAIL FROM line (RFC 1870,
// section 6), "" when it has none.
func mailSize(line string) string {
	for _, f := range strings.Fields(line)[1:] {
		if v, ok := strings.CutPrefix(strings.ToUpper(f), "SIZE="); ok {
			return v
		}
	}
	return ""
}

// A server that advertises SIZE gets the size of each message declared in
// its MAIL FROM (RFC 1870, section 6), exactly as it then reads it (CR LF
// counted, the final "." and stuffed dots not), the recipient's own header
// fields included: in turn and pipelined, with a limit and with SIZE 0
// (no limit, still the extension). A server that does not advertise it
// gets no SIZE parameter.
func TestSizeDeclaredInMailFrom(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		for _, size := range []string{"SIZE 100000", "SIZE 0", "SIZE", ""} {
			t.Run(fmt.Sprintf("inTurn=%v/%q", inTurn, size), func(t *testing.T) {
				srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
				srv.script(func(s *fakeSMTP) { s.size = size })
				short, long := "a@example.net", "a-much-longer-mailbox-name-than-the-other@example.net"
				cfg := config(srv, short, long, "c@example.net")
				cfg.Concurrency = 1
				cfg.ListUnsubscribe = "https://status.example.com/unsubscribe?r={{.Recipient}}"
				u := incident(1)
				// Stuffed dots, a line quoted-printable breaks, text outside
				// ASCII, a "From " line (encodeFromLines), and a subject
				// long enough to fold, as encoded words.
				u.Title = "Störung: " + strings.Repeat("elevated error rates ", 8)
				u.Body = "Line one.\n.\n.. a line that starts with dots\n" + strings.Repeat("long line ", 40) +
					"\nFrom 09:00 UTC — erhöhte Fehlerraten 🚧\n"
				send(t, newChannel(t, cfg), broadcast.NewMessage(u))

				got := srv.messages()
				require.Len(t, got, 3)
				var mails []string
				for _, c := range srv.commands() {
					if c.verb == "MAIL" {
						mails = append(mails, c.line)
					}
				}
				require.Len(t, mails, 3)
				for i, m := range got {
					if size == "" {
						assert.Empty(t, mailSize(mails[i]), "%s", mails[i])
						continue
					}
					assert.Equal(t, strconv.Itoa(messageSize([]byte(m.data))), mailSize(mails[i]), "%s", mails[i])
				}
			})
		}
	}
}

// A server that offers SIZE refuses a message whose declared size it will
// not take at MAIL FROM, 552 (RFC 1870, section 6.1), also one that states
// no limit in its EHLO reply, or a lower one for the sender: the message,
// not the sender, is refused, for good, for every recipient, and the
// error says so and what to shorten, with nothing uploaded.
func TestSizeRefusedAtMailFrom(t *testing.T) {
	for _, reply := range []string{"552 5.3.4 Message size exceeds fixed maximum message size", "552 Too big"} {
		t.Run(reply, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(func(s *fakeSMTP) { s.size, s.mailAll = "SIZE", reply })
			_, err := newChannel(t, config(srv, recipients(3)...)).Send(context.Background(), broadcast.NewMessage(incident(1)))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "message refused")
			assert.NotContains(t, err.Error(), "sender refused")
			assert.Contains(t, err.Error(), "Update.Body")
			code, text, _ := strings.Cut(reply, " ")
			assert.Contains(t, err.Error(), code)
			assert.Contains(t, err.Error(), text)
			assert.Empty(t, srv.messages())
		})
	}
}

// An update whose Overrides[Name] replaces its text on this channel is too
// large for its override, which the message shows: the error names that
// field to shorten, not Update.Body, which the message does not show.
func TestSizeErrorNamesTheOverride(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "ops@example.net")
	cfg.Name = "mail"
	srv.script(func(s *fakeSMTP) { s.size = "SIZE 2000" })
	u := incident(1)
	u.Overrides = map[string]string{"mail": strings.Repeat("A long override. ", 200)}
	_, err := newChannel(t, cfg).Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), `shorten the update's text for this channel (Update.Overrides["mail"]`)
	assert.NotContains(t, err.Error(), "(Update.Body")
}

// The limit, and whether to declare a size, come from the EHLO reply
// inside TLS: RFC 3207 (4.2) has the client discard what it learnt before
// STARTTLS and say EHLO again. A SIZE stated only in plain text neither
// refuses the message nor makes MAIL FROM declare one; a SIZE stated only
// inside TLS does both.
func TestSizeReadAfterStartTLS(t *testing.T) {
	t.Run("plain text only", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		srv.script(func(s *fakeSMTP) { s.size, s.sizePlain = "", "SIZE 100" })
		send(t, newChannel(t, config(srv, "ops@example.net")), broadcast.NewMessage(incident(1)))
		require.Len(t, srv.messages(), 1)
		for _, c := range srv.commands() {
			if c.verb == "MAIL" {
				assert.Empty(t, mailSize(c.line), "%s", c.line)
			}
		}
	})
	t.Run("inside TLS only", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		srv.script(func(s *fakeSMTP) { s.size, s.sizePlain = "SIZE 100", "-" })
		_, err := newChannel(t, config(srv, "ops@example.net")).Send(context.Background(), broadcast.NewMessage(incident(1)))
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "SIZE 100")
		assert.Empty(t, srv.messages())
	})
}
