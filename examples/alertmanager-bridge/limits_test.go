package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A notification whose Content-Length is above -max-body is refused
// before its body is read: Alertmanager sends the length (it marshals the
// notification before it posts it: notify/webhook/webhook.go), and a body
// the bridge would refuse anyway takes neither its memory nor its time.
func TestOversizedContentLengthRefusedBeforeReading(t *testing.T) {
	srv := bridge(t, mapping{}, &recorder{name: "status"})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(guard))) // a failure, not a measurement
	_, err = io.WriteString(conn, "POST /alerts HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"+
		"Content-Length: 1073741824\r\n\r\n") // and no body
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered without the body")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	text, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(text), "-max-body")
}

// A body that stops arriving (the sender's connection broke, or it was
// slower than the read timeout allows) is not a bad payload: the answer is
// a 5xx, which Alertmanager retries (notify/util.go: Retrier.Check), not a
// 400, which it does not.
func TestBodyThatDoesNotArriveAsksForRetry(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	h := srv.Config.Handler
	body := io.MultiReader(bytes.NewReader(sample(t, "firing.json")[:300]), errReader{os.ErrDeadlineExceeded})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, jsonRequest(body))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "did not arrive")
	assert.Empty(t, ch.sent())
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// At most -max-concurrent notifications are read and broadcast at once, so
// that many large ones, or slow senders, hold a bounded amount of memory.
// One beyond waits for a turn without its body being read, and is answered
// 503 (retried by Alertmanager) if its request ends first.
func TestConcurrentNotificationsAreBounded(t *testing.T) {
	g := newGate(incidentID(`{}/{severity="critical"}:{alertname="EdgeHighErrorRate"}`))
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{g.channel()}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	defer b.Close()
	h := &handler{b: b, store: store, log: slog.New(slog.DiscardHandler), say: func(_, s string) string { return s },
		maxConcurrent: 1}
	routes := h.routes()
	firstDone := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, jsonRequest(bytes.NewReader(sample(t, "firing.json"))))
		firstDone <- rec.Code
	}()
	select {
	case <-g.started:
	case <-time.After(guard):
		t.Fatal("the first notification was not broadcast")
	}

	// Another group's notification, whose sender gives up while it waits.
	body := &spyReader{r: bytes.NewReader(withGroupKey(t, `{}:{alertname="Other"}`))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	routes.ServeHTTP(rec, jsonRequest(body).WithContext(ctx))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "-max-concurrent")
	assert.False(t, body.read, "its body was not read while it waited")

	close(g.release)
	assert.Equal(t, http.StatusOK, <-firstDone)
	rec = httptest.NewRecorder()
	routes.ServeHTTP(rec, jsonRequest(bytes.NewReader(withGroupKey(t, `{}:{alertname="Other"}`))))
	assert.Equal(t, http.StatusOK, rec.Code, "the turn was given back")
}

type spyReader struct {
	r    io.Reader
	read bool
}

func (s *spyReader) Read(p []byte) (int, error) {
	s.read = true
	return s.r.Read(p)
}

// The server's limits fit the notifications it accepts: headers are small
// (Alertmanager sends a few), a body of -max-body has the time to arrive at
// 1 MiB/s, and the answer the time a broadcast may take after that.
func TestServerLimitsFitTheNotifications(t *testing.T) {
	for _, o := range []options{{maxBody: 32, timeout: time.Minute}, {maxBody: 512, timeout: 5 * time.Minute}} {
		h := &handler{timeout: o.timeout, maxBody: int64(o.maxBody) << 20, log: slog.New(slog.DiscardHandler)}
		srv := newServer(h, h.log)
		assert.LessOrEqual(t, srv.MaxHeaderBytes, 64<<10)
		assert.Positive(t, srv.MaxHeaderBytes)
		assert.Positive(t, srv.ReadHeaderTimeout)
		assert.GreaterOrEqual(t, srv.ReadTimeout, time.Duration(o.maxBody)*time.Second, "%d MiB at 1 MiB/s", o.maxBody)
		assert.GreaterOrEqual(t, srv.WriteTimeout, srv.ReadTimeout+o.timeout)
		assert.Positive(t, srv.IdleTimeout)
	}
	for _, args := range [][]string{{"-max-concurrent", "0"}, {"-max-concurrent", "-3"}} {
		var stdout, stderr strings.Builder
		assert.Equal(t, 2, run(context.Background(), nil, args, &stdout, &stderr))
		assert.Contains(t, stderr.String(), "-max-concurrent: ")
	}
}

// A notification that waited for its turn (-max-concurrent) has the whole
// time a body may take once it gets it: the server's ReadTimeout counts
// from the request's arrival (net/http: "the maximum duration for reading
// the entire request, including the body"), and a wait beyond it failed
// the read of a body that had arrived in full, with a 503 that blamed the
// sender ("did not arrive whole"), well within -timeout.
func TestTurnWaitLeavesTheBodyItsTime(t *testing.T) {
	g := newGate(incidentID(`{}/{severity="critical"}:{alertname="EdgeHighErrorRate"}`))
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{g.channel()}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	defer b.Close()
	h := &handler{b: b, store: store, log: slog.New(slog.DiscardHandler), say: func(_, s string) string { return s },
		timeout: time.Minute, maxConcurrent: 1}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer(h, h.log)
	srv.Config.ReadTimeout = 100 * time.Millisecond // the wait below outlasts it
	active := make(chan struct{}, 4)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateActive {
			active <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	defer func() {
		select {
		case <-g.release:
		default:
			close(g.release)
		}
	}()
	post := func(body []byte, code chan<- string) {
		resp, err := http.Post(srv.URL+"/alerts", "application/json", bytes.NewReader(body))
		if err != nil {
			code <- err.Error()
			return
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code <- fmt.Sprint(resp.StatusCode, " ", string(text))
	}
	first, second := make(chan string, 1), make(chan string, 1)
	go post(sample(t, "firing.json"), first)
	<-active
	select {
	case <-g.started:
	case <-time.After(guard):
		t.Fatal("the first notification was not broadcast")
	}
	// Another group's, larger than the server's read buffer, sent whole
	// while it waits for the turn the first holds.
	body := withGroupKey(t, `{}:{alertname="Other"}`)
	body = append(body, bytes.Repeat([]byte(" "), 256<<10)...)
	go post(body, second)
	<-active
	time.Sleep(3 * srv.Config.ReadTimeout) // its ReadTimeout passes while it waits
	close(g.release)
	assert.True(t, strings.HasPrefix(<-first, "200 "))
	got := <-second
	assert.True(t, strings.HasPrefix(got, "200 "), got)
}
