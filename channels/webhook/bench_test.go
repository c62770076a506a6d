package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// BenchmarkFanOut sends one update through a Broadcaster to 1,000
// endpoints that each answer after 20ms, and reports the time per Send
// against the ideal of 1000 ÷ Concurrency × 20ms (metric "x-ideal"). The
// endpoints are distinct paths of one loopback server, so connections are
// reused across endpoints, up to Concurrency of them.
//
//	go test -run '^$' -bench FanOut -benchtime 20x ./channels/webhook
func BenchmarkFanOut(b *testing.B) {
	const (
		endpoints = 1000
		latency   = 20 * time.Millisecond
	)
	for _, conc := range []int{50, 100} {
		b.Run(fmt.Sprintf("endpoints=%d/concurrency=%d", endpoints, conc), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				time.Sleep(latency)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			eps := make([]Endpoint, endpoints)
			for i := range eps {
				eps[i] = Endpoint{URL: redact.NewURL(fmt.Sprintf("%s/subscriber/%d", srv.URL, i)), Secret: testSecret(fmt.Sprint(i))}
			}
			ch, err := New(Config{Endpoints: eps, Concurrency: conc})
			if err != nil {
				b.Fatal(err)
			}
			bc, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer bc.Close()
			u := sent
			n := 0
			for b.Loop() {
				n++
				u.ID = fmt.Sprintf("u_bench_%d", n)
				rep, err := bc.Send(context.Background(), u)
				if err != nil {
					b.Fatal(err)
				}
				if got := rep.Results[0].Receipt.Meta["delivered"]; got != fmt.Sprint(endpoints) {
					b.Fatalf("delivered %s of %d", got, endpoints)
				}
			}
			per := b.Elapsed() / time.Duration(n)
			ideal := time.Duration(endpoints/conc) * latency
			b.ReportMetric(float64(per)/float64(time.Millisecond), "ms/send")
			b.ReportMetric(float64(per)/float64(ideal), "x-ideal")
		})
	}
}

// BenchmarkSend10 measures one Send to 10 endpoints of a loopback server,
// signing included, against a floor in the same run: a bare net/http
// client with keep-alive posting the same body to the same 10 endpoints,
// 10 at a time, as the channel does. The server reads each body and
// answers 200 with a short JSON body, as many receivers do; it runs in the
// process, so its allocations count in both.
//
//	go test -run '^$' -bench Send10 -benchmem -count 10 ./channels/webhook
func BenchmarkSend10(b *testing.B) {
	const endpoints = 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	urls := make([]string, endpoints)
	eps := make([]Endpoint, endpoints)
	for i := range eps {
		urls[i] = fmt.Sprintf("%s/subscriber/%d", srv.URL, i)
		eps[i] = Endpoint{URL: redact.NewURL(urls[i]), Secret: testSecret(fmt.Sprint(i))}
	}
	u := fullUpdate
	body, err := encode(DefaultName, u)
	if err != nil {
		b.Fatal(err)
	}
	// The floors and the channel alternate within each -count round, so
	// that a change in the machine's load hits them alike. Each floor is
	// written out in full, on purpose: run through one helper that took
	// the post as a closure, the floor measured about 6% slower, which
	// flattered the channel's ratio (see BENCHMARKS.md).
	b.Run("floor=net-http", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: endpoints}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for _, url := range urls {
				wg.Go(func() { floorPost(b, client, url, body) })
			}
			wg.Wait()
		}
	})
	// The floor again, each request bounded as the channel bounds it: a
	// context of its own, which a 15s timer cancels. What bounding a
	// request costs a bare client.
	b.Run("floor=net-http+bound", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: endpoints}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for _, url := range urls {
				wg.Go(func() {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					timer := time.AfterFunc(15*time.Second, cancel)
					defer timer.Stop()
					floorPostCtx(ctx, b, client, url, body, nil)
				})
			}
			wg.Wait()
		}
	})
	// The floor again, with the header fields the channel must send (its
	// User-Agent and the three webhook-* fields of Standard Webhooks, here
	// precomputed): the part of the channel's cost that is the wire
	// format's, which the in-process server pays too, rather than the
	// channel's own work.
	b.Run("floor=net-http+webhook-headers", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: endpoints}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		ch, err := New(Config{Endpoints: eps})
		if err != nil {
			b.Fatal(err)
		}
		defer ch.Close()
		m := broadcast.NewMessage(u)
		headers := make([]http.Header, endpoints)
		for i, ep := range ch.s.endpoints {
			headers[i] = http.Header{}
			ch.setHeader(headers[i], &worker{}, ep, m.Key(ep.target), body)
		}
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for i, url := range urls {
				wg.Go(func() { floorPostWith(b, client, url, body, headers[i]) })
			}
			wg.Wait()
		}
	})
	b.Run("channel", func(b *testing.B) {
		ch, err := New(Config{Endpoints: eps})
		if err != nil {
			b.Fatal(err)
		}
		defer ch.Close()
		b.ReportAllocs()
		for b.Loop() {
			r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			if err != nil {
				b.Fatal(err)
			}
			if r.Meta["delivered"] != fmt.Sprint(endpoints) {
				b.Fatalf("delivered %s of %d", r.Meta["delivered"], endpoints)
			}
		}
	})
}

// floorPost is what a bare net/http client does to deliver body to url.
func floorPost(b *testing.B, client *http.Client, url string, body []byte) {
	floorPostCtx(context.Background(), b, client, url, body, nil)
}

// floorPostWith is floorPost with the header fields of header too.
func floorPostWith(b *testing.B, client *http.Client, url string, body []byte, header http.Header) {
	floorPostCtx(context.Background(), b, client, url, body, header)
}

// floorPostCtx is floorPostWith under ctx.
func floorPostCtx(ctx context.Context, b *testing.B, client *http.Client, url string, body []byte, header http.Header) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("status %d", resp.StatusCode)
	}
}
