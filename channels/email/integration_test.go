//go:build integration

// Tests against a real Mailpit, started by scripts/mailpit.sh; run them with
// scripts/integration.sh. They assert through Mailpit's REST API and run one
// after another. TestMailpitConformance runs the conformance suite
// (channeltest.Run) against it, each rule's channel sending from an address
// of its own and its back end reading only that sender's messages; the
// others check by hand what the suite does not (the threading headers and
// subject, corrections, header injection, international addresses, MIME
// parts, List-Unsubscribe, a refused recipient, a wrong password, each
// reply class of AUTH, MAIL FROM and RCPT TO, a kept connection cut), each
// starting by deleting every message.

package email_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// mailpit is the Mailpit the variables of scripts/mailpit.sh point at.
type mailpit struct {
	t    *testing.T
	cfg  email.Config // Host, Port, TLSConfig, Username, Password
	api  string
	http *http.Client
}

func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the integration tests through scripts/integration.sh, "+
			"or eval \"$(scripts/mailpit.sh start)\" first", name)
	}
	return v
}

// newMailpit connects to Mailpit and deletes every message it holds.
func newMailpit(t *testing.T) *mailpit {
	m := dialMailpit(t)
	m.do(http.MethodDelete, "/api/v1/messages", nil)
	return m
}

// dialMailpit connects to Mailpit, deleting nothing.
func dialMailpit(t *testing.T) *mailpit {
	host, port, err := net.SplitHostPort(env(t, "OUTAGECAST_MAILPIT_SMTP"))
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	pem, err := os.ReadFile(env(t, "OUTAGECAST_MAILPIT_CA"))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem), "the CA file holds a certificate")
	m := &mailpit{t: t, api: env(t, "OUTAGECAST_MAILPIT_API"), http: &http.Client{Timeout: 10 * time.Second},
		cfg: email.Config{Host: host, Port: p, TLSConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			Username: env(t, "OUTAGECAST_MAILPIT_USER"), Password: redact.NewSecret(env(t, "OUTAGECAST_MAILPIT_PASSWORD")),
			From: "Example Status <status@example.com>", Timeout: 10 * time.Second}}
	t.Cleanup(m.http.CloseIdleConnections)
	return m
}

func (m *mailpit) do(method, path string, into any) {
	m.t.Helper()
	req, err := http.NewRequest(method, m.api+path, nil)
	require.NoError(m.t, err)
	resp, err := m.http.Do(req)
	require.NoError(m.t, err)
	defer resp.Body.Close()
	require.Equal(m.t, http.StatusOK, resp.StatusCode, "%s %s", method, path)
	if into != nil {
		require.NoError(m.t, json.NewDecoder(resp.Body).Decode(into))
	}
}

type mpAddress struct{ Name, Address string }

type mpSummary struct {
	ID, MessageID, Subject string
	To, Cc, Bcc            []mpAddress
	Snippet                string // the preview line Mailpit lists, made from the HTML part
}

type mpMessage struct {
	mpSummary
	Text, HTML      string
	ListUnsubscribe struct {
		Header, HeaderPost, Errors string
		Links                      []string
	}
}

// messages waits until Mailpit holds want messages and returns them in full,
// oldest first.
func (m *mailpit) messages(want int) []mpMessage {
	m.t.Helper()
	var list struct {
		Total    int
		Messages []mpSummary
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m.do(http.MethodGet, "/api/v1/messages?limit=500", &list)
		if list.Total >= want || time.Now().After(deadline) {
			break
		}
	}
	require.Equal(m.t, want, list.Total, "messages in Mailpit")
	out := make([]mpMessage, len(list.Messages))
	for i, s := range list.Messages {
		full := &out[len(out)-1-i] // the list is newest first
		m.do(http.MethodGet, "/api/v1/message/"+s.ID, full)
		full.Snippet = s.Snippet // only in the list
	}
	return out
}

func (m *mailpit) headers(id string) map[string][]string {
	var h map[string][]string
	m.do(http.MethodGet, "/api/v1/message/"+id+"/headers", &h)
	return h
}

// config is the Config of a channel to Mailpit, with a one-click
// unsubscribe link.
func (m *mailpit) config(to ...string) email.Config {
	cfg := m.cfg
	cfg.To = to
	cfg.ListUnsubscribe = "https://status.example.com/unsubscribe?email={{.Recipient}}"
	cfg.ListUnsubscribeOneClick = true
	return cfg
}

func (m *mailpit) channel(to ...string) *email.Channel { return newChannel(m.t, m.config(to...)) }

func TestMailpitThreadedUpdates(t *testing.T) {
	mp := newMailpit(t)
	to := []string{"alice@example.net", "Bob Builder <bob@example.org>", "carol@example.com"}
	b, err := broadcast.New([]broadcast.Channel{mp.channel(to...)}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	first, err := b.Send(context.Background(), incident(1))
	require.NoError(t, err)
	second, err := b.Send(context.Background(), incident(2))
	require.NoError(t, err)
	id1, id2 := first.Results[0].Receipt.ID, second.Results[0].Receipt.ID

	msgs := mp.messages(6)
	perRecipient := map[string]int{}
	for i, m := range msgs {
		require.Len(t, m.To, 1, "To names one recipient")
		assert.Empty(t, m.Cc)
		assert.Empty(t, m.Bcc, "Mailpit lists envelope recipients missing from the headers as Bcc")
		perRecipient[m.To[0].Address]++
		h := mp.headers(m.ID)
		assert.Equal(t, firstSubject, m.Subject)
		n := 1 + i/3
		assert.Contains(t, m.Text, "Update "+strconv.Itoa(n)+": we are investigating.")
		assert.Contains(t, m.HTML, "Update "+strconv.Itoa(n)+": we are investigating.")
		assert.Contains(t, m.HTML, `href="https://status.example.com/incidents/42"`)
		assert.Equal(t, []string{"List-Unsubscribe=One-Click"}, h["List-Unsubscribe-Post"])
		assert.Equal(t, "<https://status.example.com/unsubscribe?email="+strings.ReplaceAll(m.To[0].Address, "@", "%40")+">",
			m.ListUnsubscribe.Header)
		assert.Empty(t, m.ListUnsubscribe.Errors)
		if n == 1 {
			assert.Equal(t, []string{id1}, h["Message-Id"])
			assert.NotContains(t, h, "In-Reply-To")
		} else {
			assert.Equal(t, []string{id2}, h["Message-Id"])
			assert.Equal(t, []string{id1}, h["In-Reply-To"])
			assert.Equal(t, []string{id1}, h["References"])
		}
	}
	assert.Equal(t, map[string]int{"alice@example.net": 2, "bob@example.org": 2, "carol@example.com": 2}, perRecipient)
	assert.Equal(t, "Bob Builder", msgs[slices.IndexFunc(msgs, func(m mpMessage) bool {
		return m.To[0].Address == "bob@example.org"
	})].To[0].Name)
}

// TestMailpitOneSubjectPerIncident: the first and the resolved update of an
// incident, its title edited in between, reach a real server with the same
// Subject, threaded, each with its status first in both parts and in the
// preview line.
func TestMailpitOneSubjectPerIncident(t *testing.T) {
	mp := newMailpit(t)
	b, err := broadcast.New([]broadcast.Channel{mp.channel("alice@example.net")}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	all := lifecycle()
	updates := []broadcast.Update{all[0], all[len(all)-1]}
	var ids []string
	for _, u := range updates {
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		ids = append(ids, rep.Results[0].Receipt.ID)
	}

	msgs := mp.messages(len(updates))
	for i, m := range msgs {
		u := updates[i]
		status := headline[u.Status] + ": " + u.Title
		h := mp.headers(m.ID)
		assert.Equal(t, []string{firstSubject}, h["Subject"], "update %d", i+1)
		assert.Equal(t, []string{ids[i]}, h["Message-Id"])
		assert.Equal(t, status, firstLine(m.Text), "update %d: the text part starts with the status", i+1)
		assert.Equal(t, status+" — "+u.Body, preheader(t, m.HTML), "update %d", i+1)
		assert.True(t, strings.HasPrefix(m.Snippet, status+" — "), "update %d: preview line %q", i+1, m.Snippet)
	}
	assert.Equal(t, "Resolved: CDN errors in Europe", firstLine(msgs[1].Text), "the body shows the edited title")
	h := mp.headers(msgs[1].ID)
	assert.Equal(t, []string{ids[0]}, h["In-Reply-To"])
	assert.Equal(t, []string{ids[0]}, h["References"])
	assert.NotContains(t, mp.headers(msgs[0].ID), "In-Reply-To")
}

func TestMailpitNoHeaderInjection(t *testing.T) {
	mp := newMailpit(t)
	u := incident(1)
	u.Title = "x\r\nBcc: evil@example.com"
	u.Body = "line\r\nBcc: evil2@example.com\r\n\r\nTo: evil3@example.com"
	send(t, mp.channel("alice@example.net"), broadcast.Message{Update: u})

	m := mp.messages(1)[0]
	assert.Equal(t, []mpAddress{{Address: "alice@example.net"}}, m.To)
	assert.Empty(t, m.Bcc)
	assert.Equal(t, "Incident: x Bcc: evil@example.com", m.Subject)
	h := mp.headers(m.ID)
	assert.NotContains(t, h, "Bcc")
	assert.Len(t, h["To"], 1)
	for name, values := range h {
		for _, v := range values {
			assert.NotContains(t, v, "evil2", name)
			assert.NotContains(t, v, "evil3", name)
		}
	}
	assert.Contains(t, m.Text, "Bcc: evil2@example.com", "the body keeps its text, as text")
}

func TestMailpitCheckAndBadPassword(t *testing.T) {
	mp := newMailpit(t)
	require.NoError(t, mp.channel("alice@example.net").Check(context.Background()))

	cfg := mp.cfg
	cfg.Password, cfg.To = redact.NewSecret("wrong-password-123"), []string{"alice@example.net"}
	ch := newChannel(t, cfg)
	for name, err := range map[string]error{"Check": ch.Check(context.Background()), "Send": sendErr(ch)} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
		assert.Contains(t, err.Error(), "535", name)
		assert.NotContains(t, err.Error(), "wrong-password-123", name)
	}
	mp.messages(0)
}

// TestMailpitCorrectionInThread: e-mail cannot edit a sent message, so a
// correction reaches a real server as a new message in the incident's
// thread: the same Subject, a reply to the message it corrects, its text
// starting "Correction".
func TestMailpitCorrectionInThread(t *testing.T) {
	mp := newMailpit(t)
	cfg := mp.config("alice@example.net")
	cfg.Templates = markCorrections(t)
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	first, err := b.Send(context.Background(), incident(1))
	require.NoError(t, err)
	fix, err := b.Correct(context.Background(), incident(1).ID, corrected(1))
	require.NoError(t, err)
	original, correction := first.Results[0].Receipt.ID, fix.Results[0].Receipt.ID
	require.NotEqual(t, original, correction)

	msgs := mp.messages(2)
	h := mp.headers(msgs[1].ID)
	assert.Equal(t, []string{firstSubject}, mp.headers(msgs[0].ID)["Subject"])
	assert.Equal(t, []string{firstSubject}, h["Subject"], "the incident's subject")
	assert.Equal(t, []string{correction}, h["Message-Id"])
	assert.Equal(t, []string{original}, h["In-Reply-To"], "a reply to the message corrected")
	assert.Equal(t, []string{original}, h["References"])
	assert.True(t, strings.HasPrefix(msgs[1].Text, "Correction"), "the text: %q", msgs[1].Text)
	assert.Contains(t, msgs[1].Text, corrected(1).Body)
	assert.Contains(t, msgs[1].HTML, corrected(1).Body)
	assert.Equal(t, []mpAddress{{Address: "alice@example.net"}}, msgs[1].To)
}

// TestMailpitInternationalAddresses: Mailpit offers SMTPUTF8, so a local
// part outside ASCII reaches it; a domain outside ASCII arrives as its
// A-label.
func TestMailpitInternationalAddresses(t *testing.T) {
	mp := newMailpit(t)
	send(t, mp.channel("Zoë <zoe@bücher.example>", "用户@example.com"), broadcast.Message{Update: incident(1)})

	var got []string
	for _, m := range mp.messages(2) {
		require.Len(t, m.To, 1)
		got = append(got, m.To[0].Address)
	}
	assert.ElementsMatch(t, []string{"zoe@xn--bcher-kva.example", "用户@example.com"}, got)
}

// TestMailpitLongUnsubscribeURL: a List-Unsubscribe URL too long for a
// line of 78 characters goes folded onto a line of its own, and a real
// server's checker reads it whole, as the one link, without complaint
// (it reports a URL with white space inside, as folding inside the
// angle brackets would leave: "should not contain spaces").
func TestMailpitLongUnsubscribeURL(t *testing.T) {
	mp := newMailpit(t)
	cfg := mp.config("alice@example.net")
	cfg.ListUnsubscribe = "https://status.example.com/unsubscribe?token=" + strings.Repeat("t", 300) + "&email={{.Recipient}}"
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})

	m := mp.messages(1)[0]
	want := "https://status.example.com/unsubscribe?token=" + strings.Repeat("t", 300) + "&email=alice%40example.net"
	assert.Empty(t, m.ListUnsubscribe.Errors)
	assert.Equal(t, []string{want}, m.ListUnsubscribe.Links)
	assert.Equal(t, "List-Unsubscribe=One-Click", m.ListUnsubscribe.HeaderPost)
}

// TestMailpitRefusedRecipient: a real server that refuses one recipient
// (Mailpit, started to refuse addresses starting with "bounce", answers
// 550 to its RCPT TO) does not stop the others: the channel's Send
// succeeds, so the update is recorded for the incident's thread, the
// Broadcaster lists the refused recipient in Result.Failures with the
// server's reply, and sending the update again reaches nobody twice and
// tries only the refused recipient again.
func TestMailpitRefusedRecipient(t *testing.T) {
	mp := newMailpit(t)
	b, err := broadcast.New([]broadcast.Channel{mp.channel("alice@example.net", "bounce-1@example.net", "carol@example.com")},
		broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	u := incident(1)
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts, "a refused recipient is not retried")
	assert.NotEmpty(t, res.Receipt.ID, "the update is recorded")
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "bounce-1@example.net", res.Failures[0].Target)
	var re *email.RecipientError
	require.ErrorAs(t, res.Failures[0].Err, &re)
	assert.Equal(t, 550, re.Code)
	assert.Equal(t, "RCPT TO", re.Command)
	msgs := mp.messages(2)
	var got []string
	for _, m := range msgs {
		got = append(got, m.To[0].Address)
	}
	assert.ElementsMatch(t, []string{"alice@example.net", "carol@example.com"}, got)

	// A later Send tries the refused recipient again (its mailbox may
	// exist by now), never those delivered: refused again here, and no
	// second copy to alice or carol.
	rep, err = b.Send(context.Background(), u)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	require.Len(t, rep.Results[0].Failures, 1)
	assert.Equal(t, "bounce-1@example.net", rep.Results[0].Failures[0].Target)
	assert.Empty(t, rep.Results[0].Delivered, "alice and carol had it")
	mp.messages(2)
}

// chaos sets Mailpit's chaos triggers: the reply code each SMTP stage
// (Authentication, Sender, Recipient) answers every time, 0 for none. They
// are off again when the test ends.
func (m *mailpit) chaos(auth, sender, rcpt int) {
	m.t.Helper()
	trigger := func(code int) map[string]int {
		if code == 0 {
			return map[string]int{"ErrorCode": 451, "Probability": 0}
		}
		return map[string]int{"ErrorCode": code, "Probability": 100}
	}
	body, err := json.Marshal(map[string]any{"Authentication": trigger(auth), "Sender": trigger(sender), "Recipient": trigger(rcpt)})
	require.NoError(m.t, err)
	req, err := http.NewRequest(http.MethodPut, m.api+"/api/v1/chaos", bytes.NewReader(body))
	require.NoError(m.t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.http.Do(req)
	require.NoError(m.t, err)
	require.NoError(m.t, resp.Body.Close())
	require.Equal(m.t, http.StatusOK, resp.StatusCode, "PUT /api/v1/chaos")
	if auth != 0 || sender != 0 || rcpt != 0 {
		m.t.Cleanup(func() { m.chaos(0, 0, 0) })
	}
}

// TestMailpitRepliesClassified: a real server's 4xx at AUTH, MAIL FROM or
// RCPT TO leaves every recipient pending with a wait of Config.RetryDeferred;
// its 5xx there fails for good. Once the server takes mail again, the same
// Ledger's next attempt delivers each recipient once, with the update's one
// Message-ID.
func TestMailpitRepliesClassified(t *testing.T) {
	tests := []struct {
		name              string
		auth, sender, rcp int
		permanent         bool
		want              string
	}{
		{name: "454 to AUTH", auth: 454, want: "SMTP AUTH failed: 454"},
		{name: "451 to MAIL FROM", sender: 451, want: "sender deferred: 451"},
		{name: "452 to RCPT TO", rcp: 452, want: "deferred at RCPT TO: 452"},
		{name: "535 to AUTH", auth: 535, permanent: true, want: "SMTP AUTH failed: 535"},
		{name: "550 to MAIL FROM", sender: 550, permanent: true, want: "sender refused: 550"},
		{name: "550 to RCPT TO", rcp: 550, permanent: true, want: "refused at RCPT TO: 550"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := newMailpit(t)
			cfg := mp.config("alice@example.net", "bob@example.org")
			cfg.RetryDeferred = 42 * time.Second
			ch := newChannel(t, cfg)
			m := broadcast.NewMessage(incident(1))
			m.Ledger = channeltest.NewLedger()

			mp.chaos(tt.auth, tt.sender, tt.rcp)
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "permanent: %v", err)
			assert.NotContains(t, err.Error(), mp.cfg.Password.Reveal())
			mp.messages(0)
			if tt.permanent {
				return
			}
			d, ok := broadcast.RetryDelay(err)
			assert.True(t, ok && d == cfg.RetryDeferred, "a wait of RetryDeferred: %v, %v", d, ok)

			mp.chaos(0, 0, 0)
			m.Attempt++
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, "2", r.Meta["sent"])
			r2, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, "0", r2.Meta["sent"], "done: nobody gets it twice")
			for _, got := range mp.messages(2) {
				assert.Equal(t, r.ID, "<"+got.MessageID+">")
			}
		})
	}
}
