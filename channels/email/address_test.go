package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// isASCII reports whether s has no byte outside 7-bit ASCII.
func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r > 0x7f })
}

// mailFrom returns the argument lines of the MAIL commands srv read.
func mailFrom(srv *fakeSMTP) []string {
	var out []string
	for _, c := range srv.commands() {
		if c.verb == "MAIL" {
			out = append(out, c.line)
		}
	}
	return out
}

// A domain name outside ASCII goes out as its A-label (IDNA), in the
// envelope and the header, so that a server without SMTPUTF8 gets a valid
// address; a local part outside ASCII needs SMTPUTF8, and a server without
// it never gets one: that recipient is refused, the others get the update.
func TestInternationalAddressesWithoutSMTPUTF8(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	to := []string{"Zoë Ünal <zoe@Bücher.example>", "用户@example.com", "plain@example.net"}
	cfg := config(srv, to...)
	cfg.From = "Stätus <status@bücher.example>"
	ch := newChannel(t, cfg)
	assert.Equal(t, []string{"zoe@Bücher.example", "用户@example.com", "plain@example.net"}, ch.Recipients(),
		"the Ledger targets are the addresses as configured")
	led := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: led})
	require.NoError(t, err, "two of three recipients got the update")

	assert.Equal(t, 1, srv.rcptCount("zoe@xn--bcher-kva.example"))
	assert.Equal(t, 0, srv.rcptCount("用户@example.com"), "not sent without SMTPUTF8")
	for _, line := range mailFrom(srv) {
		assert.Contains(t, line, "<status@xn--bcher-kva.example>")
		assert.NotContains(t, line, "SMTPUTF8")
	}
	msgs := srv.messages()
	require.Equal(t, 2, len(msgs), "messages")
	for _, m := range msgs {
		head, _, _ := strings.Cut(m.data, "\n\n")
		assert.True(t, isASCII(head), "header in 7-bit ASCII:\n%s", head)
		from, err := parse(t, m.data).header.AddressList("From")
		require.NoError(t, err)
		assert.Equal(t, "status@xn--bcher-kva.example", from[0].Address)
		assert.Equal(t, "Stätus", from[0].Name)
	}
	done, failure := led.Done("用户@example.com")
	assert.True(t, done, "refused for good")
	assert.Contains(t, failure, "SMTPUTF8")
	for _, target := range []string{"zoe@Bücher.example", "plain@example.net"} {
		done, failure := led.Done(target)
		assert.True(t, done && failure == "", "%s delivered", target)
	}
}

// A server that offers SMTPUTF8 gets a local part outside ASCII, with the
// SMTPUTF8 parameter.
func TestInternationalAddressesWithSMTPUTF8(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, smtputf8: true})
	ch := newChannel(t, config(srv, "用户@例子.example"))
	send(t, ch, broadcast.Message{Update: incident(1)})
	assert.Equal(t, 1, srv.rcptCount("用户@xn--fsqu00a.example"))
	for _, line := range mailFrom(srv) {
		assert.Contains(t, line, " SMTPUTF8")
	}
	require.Len(t, srv.messages(), 1)
	got, err := parse(t, srv.messages()[0].data).header.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, "用户@xn--fsqu00a.example", got[0].Address)
}

// envelopes returns, per recipient, the MAIL command that preceded its
// RCPT on the same connection.
func envelopes(srv *fakeSMTP) map[string]string {
	out := map[string]string{}
	mail := map[int]string{}
	for _, c := range srv.commands() {
		switch c.verb {
		case "MAIL":
			mail[c.conn] = c.line
		case "RCPT":
			_, rest, _ := strings.Cut(c.line, "<")
			addr, _, _ := strings.Cut(rest, ">")
			out[addr] = mail[c.conn]
		}
	}
	return out
}

// The SMTPUTF8 parameter goes with a message that needs it, never with one
// that does not, although the server offers it: RFC 6531, 3.4 ("SHOULD NOT
// supply the SMTPUTF8 parameter"), since a relay must bounce a message
// flagged SMTPUTF8 that it cannot pass to an SMTPUTF8 next hop, as Postfix
// does ("SMTPUTF8 is required, but was not offered by host").
func TestSMTPUTF8OnlyWhenNeeded(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, smtputf8: true})
	ch := newChannel(t, config(srv, "plain@example.net", "Zoë <zoe@bücher.example>", "用户@example.com"))
	send(t, ch, broadcast.Message{Update: incident(1)})
	require.Len(t, srv.messages(), 3)
	env := envelopes(srv)
	assert.NotContains(t, env["plain@example.net"], "SMTPUTF8", "all ASCII")
	assert.NotContains(t, env["zoe@xn--bcher-kva.example"], "SMTPUTF8", "the domain goes out as A-labels")
	assert.Contains(t, env["用户@example.com"], " SMTPUTF8", "the local part needs it")
	for _, m := range srv.messages() {
		head, _, _ := strings.Cut(m.data, "\n\n")
		assert.Equal(t, isASCII(m.to[0]), isASCII(head), "the header is 8-bit only for the address that is:\n%s", head)
	}

	srv = startSMTP(t, serverOptions{user: testUser, pass: testPass, smtputf8: true})
	cfg := config(srv, "plain@example.net")
	cfg.From = "stätus@example.com"
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
	assert.Contains(t, envelopes(srv)["plain@example.net"], " SMTPUTF8", "the sender needs it")
}

// A From whose local part is outside ASCII cannot be sent without
// SMTPUTF8: the channel fails for good, naming the field.
func TestInternationalFromWithoutSMTPUTF8(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "plain@example.net")
	cfg.From = "stätus@example.com"
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1)})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "permanent: %v", err)
	assert.Contains(t, err.Error(), "Config.From")
	assert.Contains(t, err.Error(), "SMTPUTF8")
	assert.Empty(t, srv.messages())
	assert.Error(t, ch.Check(context.Background()), "Check says so too")
}

// An address whose domain is no valid IDNA name is a configuration error,
// and two spellings of one domain are one recipient.
func TestInternationalAddressesChecked(t *testing.T) {
	cfg := configFor(25, "a@example.net", "bad@-bücher.example")
	_, err := email.New(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.To[1]")

	cfg = configFor(25, "zoe@bücher.example", "zoe@xn--bcher-kva.example")
	_, err = email.New(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.To[1]")
}
