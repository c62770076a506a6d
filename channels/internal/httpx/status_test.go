package httpx

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// testWait is the body wait of the tests; the request's context gives far
// more (testDeadline), so a test that passes shows the wait at work.
const (
	testWait     = 50 * time.Millisecond
	testDeadline = 10 * time.Second
)

// bodyKind is how a test endpoint sends its body after the status line.
type bodyKind func(w http.ResponseWriter, r *http.Request)

// trickle sends one byte a second until the client goes away.
func trickle(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if _, err := io.WriteString(w, "x"); err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// endless sends the start of a body that never ends.
func endless(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, `{"error":"overloaded","detail":"`)
	_ = http.NewResponseController(w).Flush()
	<-r.Context().Done()
}

// huge sends a body as fast as the client takes it, until it goes away.
func huge(w http.ResponseWriter, _ *http.Request) {
	chunk := []byte(strings.Repeat("y", 32<<10))
	for range 1 << 12 { // 128 MiB
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// bodyServer answers every request with status, then a body of kind, and
// counts requests and the connections clients open.
type bodyServer struct {
	*httptest.Server
	requests, conns atomic.Int64
}

func newBodyServer(t *testing.T, status int, kind bodyKind) *bodyServer {
	s := &bodyServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Query().Get("fast") != "" {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "fine")
			return
		}
		w.WriteHeader(status)
		kind(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// countingTransport counts the response body bytes its callers read.
type countingTransport struct {
	base http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// countingClient returns a client of NewClient whose reads are counted.
func countingClient(t *testing.T) (*http.Client, *countingTransport) {
	c := newTestClient(t)
	ct := &countingTransport{base: c.Transport}
	c.Transport = ct
	return c, ct
}

func doStatus(t *testing.T, c *http.Client, u string) (*Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	t.Cleanup(cancel)
	req, err := NewRequest(ctx, http.MethodPost, u, []byte(`{}`), "application/json")
	require.NoError(t, err)
	return DoStatus(Client{Client: c}, req, 0, testWait, nil)
}

func TestDoStatusTwoHundredDecides(t *testing.T) {
	for name, kind := range map[string]bodyKind{"trickle": trickle, "endless": endless, "huge": huge} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newBodyServer(t, http.StatusOK, kind)
			c, counted := countingClient(t)
			resp, err := doStatus(t, c, srv.URL)
			require.NoError(t, err, "a body that does not end in time is no error")
			assert.Equal(t, http.StatusOK, resp.Status)
			require.NoError(t, Classify(resp), "a 2xx is a success, whatever its body")
			assert.True(t, resp.Truncated)
			assert.LessOrEqual(t, len(resp.Body), StatusBodyLimit)
			assert.LessOrEqual(t, counted.read.Load(), int64(StatusBodyLimit+1), "bytes read of the body")
			assert.Equal(t, int64(1), srv.requests.Load(), "requests")
		})
	}
}

func TestDoStatusErrorWithEndlessBody(t *testing.T) {
	srv := newBodyServer(t, http.StatusServiceUnavailable, endless)
	resp, err := doStatus(t, newTestClient(t), srv.URL)
	require.NoError(t, err, "the status arrived: the body is not waited for")
	assert.Equal(t, `{"error":"overloaded","detail":"`, string(resp.Body), "what arrived is kept")
	assert.True(t, resp.Truncated)
	err = Classify(resp)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusServiceUnavailable, se.Status)
	assert.Equal(t, `{"error":"overloaded","detail":"`, se.Snippet)
	assert.False(t, broadcast.IsPermanent(err), "503 is transient")
}

func TestDoStatusClosesUnreadConnections(t *testing.T) {
	for name, kind := range map[string]bodyKind{"trickle": trickle, "endless": endless, "huge": huge} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newBodyServer(t, http.StatusOK, kind)
			c := newTestClient(t)
			_, err := doStatus(t, c, srv.URL)
			require.NoError(t, err)
			resp, err := doStatus(t, c, srv.URL+"/?fast=1")
			require.NoError(t, err)
			assert.Equal(t, "fine", string(resp.Body))
			assert.False(t, resp.Truncated)
			assert.Equal(t, int64(2), srv.conns.Load(), "the unread connection is not reused")
		})
	}
}

func TestDoStatusReusesReadConnections(t *testing.T) {
	srv, conns := newServer(t)
	c := newTestClient(t)
	for _, q := range []string{"n=0", "n=100", "n=4096", "n=200&code=503", "n=3&code=404", "code=302", "n=10"} {
		resp, err := doStatus(t, c, srv.URL+"/?"+q)
		require.NoError(t, err, q)
		assert.False(t, resp.Truncated, q)
	}
	resp, err := doStatus(t, c, srv.URL+"/?n=4097")
	require.NoError(t, err)
	assert.True(t, resp.Truncated, "one byte over the limit")
	assert.Len(t, resp.Body, StatusBodyLimit)
	assert.Equal(t, int64(1), conns.Load(), "connections opened")
}

func TestDoStatusTransportError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	resp, err := doStatus(t, newTestClient(t), "http://user:hunter2@"+addr+"/hook?token=abc123")
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.False(t, broadcast.IsPermanent(err))
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "abc123")
}

func TestDoDiscardsSlowRestWithinBodyWait(t *testing.T) {
	// The body Do was asked for arrives; what follows trickles. Do returns
	// with the body after BodyWait, well before the request's deadline, and
	// the connection is not reused.
	srv := newBodyServer(t, http.StatusOK, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"data":{"id":"1"}}`)
		trickle(w, r)
	})
	c := newTestClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	req, err := NewRequest(ctx, http.MethodPost, srv.URL, nil, "")
	require.NoError(t, err)
	resp, err := Do(Client{Client: c}, req, int64(len(`{"data":{"id":"1"}}`)), nil)
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "Do returned before the request's deadline")
	assert.Equal(t, `{"data":{"id":"1"}}`, string(resp.Body))
	assert.True(t, resp.Truncated)
	_, err = doStatus(t, c, srv.URL+"/?fast=1")
	require.NoError(t, err)
	assert.Equal(t, int64(2), srv.conns.Load(), "connections opened")
}

// Do and DoStatus redact the body of an answer that is not a 2xx before
// anyone cuts a snippet from it, so that a secret echoed where the snippet
// ends leaves no part of itself in the error; a 2xx's body is left as it is.
func TestBodyRedactedBeforeTheSnippet(t *testing.T) {
	const secret = "s3cret-token-0123456789abcdefghij"
	rd := redact.NewRedactor(redact.NewSecret(secret))
	for _, status := range []int{http.StatusForbidden, http.StatusOK} {
		for pad := SnippetLimit - len(secret); pad <= SnippetLimit; pad += 3 {
			body := strings.Repeat("x", pad) + " token=" + secret + " denied"
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, body)
			}))
			for name, do := range map[string]func(*http.Request) (*Response, error){
				"Do":       func(req *http.Request) (*Response, error) { return Do(Client{}, req, 0, rd) },
				"DoStatus": func(req *http.Request) (*Response, error) { return DoStatus(Client{}, req, 0, 0, rd) },
			} {
				req, err := NewRequest(context.Background(), http.MethodGet, srv.URL, nil, "")
				require.NoError(t, err)
				resp, err := do(req)
				require.NoError(t, err)
				if status == http.StatusOK {
					assert.Equal(t, body, string(resp.Body), "%s: a 2xx is the platform's answer", name)
					continue
				}
				shown := fmt.Sprint(Classify(resp))
				assert.NotContains(t, shown, secret[:8], "%s, %d bytes before the secret", name, pad)
			}
			srv.Close()
		}
	}
}

// rawServer answers every request on a connection of its own with raw, as
// it is, and closes the connection.
func rawServer(t *testing.T, raw string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = http.ReadRequest(bufio.NewReader(c))
			_, _ = io.WriteString(c, raw)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return "http://" + ln.Addr().String() + "/hook"
}

// A malformed header line is quoted whole in the transport's error
// (net/textproto: "malformed MIME header line: %q"); Do and DoStatus cut
// it to a snippet, after redacting it: the line may echo a secret, and a
// cut must leave no part of one.
func TestTransportErrorQuotingAHugeHeaderLineIsBounded(t *testing.T) {
	const secret = "s3cret-token-0123456789abcdefghij"
	rd := redact.NewRedactor(redact.NewSecret(secret))
	for _, pad := range []int{0, SnippetLimit - 100, SnippetLimit - 60, SnippetLimit - 20} {
		line := strings.Repeat("x", pad) + secret + strings.Repeat("y", 20<<10)
		url := rawServer(t, "HTTP/1.1 200 OK\r\n"+line+"\r\nContent-Length: 0\r\n\r\n")
		for name, do := range map[string]func(*http.Request) (*Response, error){
			"Do":       func(req *http.Request) (*Response, error) { return Do(Client{}, req, 0, rd) },
			"DoStatus": func(req *http.Request) (*Response, error) { return DoStatus(Client{}, req, 0, 0, rd) },
		} {
			req, err := NewRequest(context.Background(), http.MethodPost, url, nil, "")
			require.NoError(t, err)
			resp, err := do(req)
			require.Error(t, err, name)
			assert.Nil(t, resp)
			shown := fmt.Sprintf("%v %+v %s", err, err, err.Error())
			assert.Contains(t, shown, "malformed MIME header", name)
			assert.LessOrEqual(t, len(err.Error()), SnippetLimit, "%s, pad %d", name, pad)
			assert.NotContains(t, shown, secret[:8], "%s, pad %d", name, pad)
			assert.False(t, broadcast.IsPermanent(err), name)
		}
	}
}

// A body cut at its limit may end in the start of a secret: Do and DoStatus
// leave that start out of the Response of an answer that is not a 2xx, as
// they redact the secrets it holds whole.
func TestBodyCutInsideASecretKeepsNoPartOfIt(t *testing.T) {
	const secret = "s3cret-token-0123456789abcdefghij"
	const limit = 64
	rd := redact.NewRedactor(redact.NewSecret(secret))
	for k := 1; k < len(secret); k++ {
		body := strings.Repeat("x", limit-k) + secret + " denied"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, body)
		}))
		for name, do := range map[string]func(*http.Request) (*Response, error){
			"Do":       func(req *http.Request) (*Response, error) { return Do(Client{}, req, limit, rd) },
			"DoStatus": func(req *http.Request) (*Response, error) { return DoStatus(Client{}, req, limit, 0, rd) },
		} {
			req, err := NewRequest(context.Background(), http.MethodGet, srv.URL, nil, "")
			require.NoError(t, err)
			resp, err := do(req)
			require.NoError(t, err)
			assert.True(t, resp.Truncated, name)
			assert.Equal(t, strings.Repeat("x", limit-k), string(resp.Body), "%s: %d bytes of the secret before the cut", name, k)
		}
		srv.Close()
	}
}

// countingRedactor counts how often its Redactor is asked for.
type countingRedactor struct {
	rd    *redact.Redactor
	asked atomic.Int32
}

func (c *countingRedactor) Redactor() *redact.Redactor { c.asked.Add(1); return c.rd }

// A success costs no redaction: the Redactor is not even asked for, also
// when the body was cut at its limit.
func TestSuccessAsksNoRedactor(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id":"1","token":"s3cret-token-0123456789"}`)
	}))
	defer srv.Close()
	rs := &countingRedactor{rd: redact.NewRedactor(redact.NewSecret("s3cret-token-0123456789"))}
	for _, limit := range []int64{0, 20} {
		req, err := NewRequest(context.Background(), http.MethodGet, srv.URL, nil, "")
		require.NoError(t, err)
		_, err = Do(Client{}, req, limit, rs)
		require.NoError(t, err)
		_, err = DoStatus(Client{}, req, limit, 0, rs)
		require.NoError(t, err)
	}
	assert.Zero(t, rs.asked.Load())
}
