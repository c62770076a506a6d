package email_test

import (
	"crypto/tls"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testUser = "mailer"
	testPass = "s3cret-pass-Zq81"
	testFrom = "Example Status <status@example.com>"
)

// config returns a Config for srv: STARTTLS with the test CA, PLAIN auth.
func config(srv *fakeSMTP, to ...string) email.Config { return configFor(srv.port(), to...) }

func configFor(port int, to ...string) email.Config {
	return email.Config{
		Host: "127.0.0.1", Port: port, TLSConfig: clientTLS(),
		Username: testUser, Password: redact.NewSecret(testPass),
		From: testFrom, To: to, Concurrency: 2,
		Timeout: 5 * time.Second, RetryDeferred: time.Millisecond,
	}
}

// newChannel returns a channel for cfg, closed when the test ends.
func newChannel(t testing.TB, cfg email.Config) *email.Channel {
	t.Helper()
	ch, err := email.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ch.Close()) })
	return ch
}

func recipients(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%04d@example.net", i)
	}
	return out
}

// parsed is a received message, decoded.
type parsed struct {
	header  mail.Header
	subject string
	text    string
	html    string
}

func parse(t testing.TB, data string) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	var p parsed
	p.header = msg.Header
	p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(part)
		require.NoError(t, err)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.text = string(body)
		case "text/html":
			p.html = string(body)
		}
	}
	return p
}

// backend adapts fakeSMTP to channeltest.TargetBackend: one Delivery per
// message received, that is per recipient, in order of arrival (the
// messages of one update share a Message-ID, and are still one delivery
// each).
type backend struct {
	srv *fakeSMTP
	t   *testing.T
}

func (b *backend) Received() []channeltest.Delivery {
	var out []channeltest.Delivery
	for _, m := range b.srv.messages() {
		p := parse(b.t, m.data)
		text := strings.ReplaceAll(p.text, "\r\n", "\n")
		out = append(out, channeltest.Delivery{Text: p.subject + "\n" + text, Parts: []string{text},
			ReplyTo: p.header.Get("In-Reply-To"), ID: p.header.Get("Message-ID"), Target: m.to[0]})
	}
	return out
}

// failReplies are the server's replies to every RCPT, AUTH or end of DATA
// for each failure; FailEcho's quotes the credentials it received.
var failReplies = map[channeltest.Failure]struct{ rcpt, auth, data string }{
	channeltest.FailTransient:    {rcpt: "451 4.3.0 temporary local problem, try again later"},
	channeltest.FailRateLimited:  {rcpt: "450 4.7.1 too many messages, slow down"},
	channeltest.FailUnauthorized: {auth: "535 5.7.8 authentication credentials invalid"},
	channeltest.FailRejected:     {data: "554 5.7.1 message refused as spam"},
	channeltest.FailEcho:         {auth: "535 5.7.8 authentication failed: " + echoCreds},
}

func (b *backend) Fail(f channeltest.Failure) {
	b.srv.script(func(s *fakeSMTP) {
		r := failReplies[f]
		s.rcptAll, s.authAll, s.dataAll = r.rcpt, r.auth, r.data
		s.echoOK = ""
		if f == channeltest.FailEchoDelivered { // a verbose server's successes
			s.echoOK = echoCreds
		}
	})
}

// targetReplies are the replies to RCPT TO of one recipient for each
// failure.
var targetReplies = map[channeltest.Failure]string{
	channeltest.FailTransient:    "451 4.2.0 mailbox busy, try again later",
	channeltest.FailRateLimited:  "450 4.7.1 too many messages for this mailbox, slow down",
	channeltest.FailUnauthorized: "550 5.7.1 sender not authorised for this mailbox",
	channeltest.FailRejected:     "550 5.1.1 mailbox unavailable",
	channeltest.FailEcho:         "550 5.7.1 mailbox unavailable: " + echoCreds,
}

func (b *backend) FailTarget(target string, f channeltest.Failure) {
	b.srv.script(func(s *fakeSMTP) { s.rcptFor[target] = targetReplies[f] })
}

// conformanceTargets are the recipients of the conformance suite's channel.
var conformanceTargets = []string{"alice@example.net", "bob@example.org"}

func TestConformance(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelining", true: "in turn"}[inTurn], func(t *testing.T) {
			conformance(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
		})
	}
}

// conformance runs the conformance suite against a server with opts.
func conformance(t *testing.T, opts serverOptions) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			srv := startSMTP(t, opts)
			cfg := config(srv, conformanceTargets...)
			// No rule of the suite waits for Timeout: the fake server
			// answers every step at once, or fails it at once. Timeout only
			// bounds a hang, so it is longer than the suite's own hang
			// detector (30s a call), which then names the call that hung.
			// config's 5s bounded each connection's TCP, TLS handshake,
			// EHLO and AUTH, and TenConcurrentSends makes up to 20 of them at
			// once (10 Sends, 2 connections each) in this process: under
			// load, on one CPU, with the race detector, the last one went
			// past 5s.
			cfg.Timeout = 2 * time.Minute
			return newChannel(t, cfg), &backend{srv: srv, t: t}
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			cfg := config(be.(*backend).srv, conformanceTargets...)
			cfg.Timeout = 2 * time.Minute
			return newChannel(t, cfg)
		},
		// The pipelining server speaks STARTTLS, the one in turn TLS from
		// the first byte.
		TLS: func(t *testing.T, server *tls.Config, skipVerify bool) (broadcast.Channel, channeltest.Backend) {
			o := opts
			o.tls, o.implicit = server, opts.inTurn
			srv := startSMTP(t, o)
			cfg := config(srv, conformanceTargets...)
			cfg.Timeout = 2 * time.Minute
			cfg.TLSConfig = nil
			if skipVerify {
				cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // what the rule checks
			}
			if o.implicit {
				cfg.TLS = email.TLSImplicit
			}
			return newChannel(t, cfg), &backend{srv: srv, t: t}
		},
		Secrets:         []string{testPass},
		CredentialField: "Config.Username and Config.Password", // FailUnauthorized's 535 to AUTH
		Config:          configFor(587, conformanceTargets...),
		ThreadsTo:       channeltest.Last,
		Targets:         conformanceTargets,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailEchoDelivered},
	})
}

// fixed is the time of the updates the tests send.
var fixed = time.Date(2025, time.March, 14, 9, 26, 53, 0, time.UTC)
