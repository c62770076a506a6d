package email_test

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
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
func config(srv *fakeSMTP, to ...string) email.Config {
	return email.Config{
		Host: "127.0.0.1", Port: srv.port(), TLSConfig: clientTLS(),
		Username: testUser, Password: testPass,
		From: testFrom, To: to, Concurrency: 2,
		Timeout: 5 * time.Second, RetryDeferred: time.Millisecond,
	}
}

func newChannel(t testing.TB, cfg email.Config) *email.Channel {
	t.Helper()
	ch, err := email.New(cfg)
	require.NoError(t, err)
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

// backend adapts fakeSMTP to channeltest.Backend: one Delivery per
// Message-ID, in order of arrival.
type backend struct {
	srv *fakeSMTP
	t   *testing.T
	mu  sync.Mutex
}

func (b *backend) Received() []channeltest.Delivery {
	var out []channeltest.Delivery
	seen := map[string]bool{}
	for _, m := range b.srv.messages() {
		p := parse(b.t, m.data)
		id := p.header.Get("Message-ID")
		if seen[id] {
			continue
		}
		seen[id] = true
		text := strings.ReplaceAll(p.text, "\r\n", "\n")
		out = append(out, channeltest.Delivery{Text: p.subject + "\n" + text, Parts: []string{text},
			ReplyTo: p.header.Get("In-Reply-To")})
	}
	return out
}

func (b *backend) Fail(f channeltest.Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.srv.script(func(s *fakeSMTP) {
		s.rcptAll, s.dataAll, s.authAll = "", "", ""
		switch f {
		case channeltest.FailTransient:
			s.rcptAll = "451 4.3.0 temporary local problem, try again later"
		case channeltest.FailRateLimited:
			s.rcptAll = "450 4.7.1 too many messages, slow down"
		case channeltest.FailUnauthorized:
			s.authAll = "535 5.7.8 authentication credentials invalid"
		case channeltest.FailRejected:
			s.dataAll = "554 5.7.1 message refused as spam"
		}
	})
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			ch := newChannel(t, config(srv, "alice@example.net", "bob@example.org"))
			return ch, &backend{srv: srv, t: t}
		},
		Secrets: []string{testPass},
		Threads: true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected},
	})
}

// fixed is the time of the updates the tests send.
var fixed = time.Date(2025, time.March, 14, 9, 26, 53, 0, time.UTC)
