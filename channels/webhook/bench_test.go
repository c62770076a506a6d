package webhook

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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
			u := fullUpdate
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
