package metrics_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/dispatch/metrics"
)

// Register a Collector, pass its Observe as dispatch.Config.OnEvent, and
// serve the registry where Prometheus scrapes. Here the Dispatcher's events
// are made by hand (a webhook delivered at its second attempt, after a 503,
// and an X post rate-limited, which snoozes without using an attempt) and
// the scrape is an httptest server.
func Example() {
	m := metrics.New()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	// In a program:
	//	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, OnEvent: m.Observe})
	//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	enqueued := time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC)
	event := func(kind broadcast.EventKind, channel string, after time.Duration, snoozed bool) dispatch.Event {
		return dispatch.Event{Event: broadcast.Event{Kind: kind, Channel: channel, Time: enqueued.Add(after)},
			Job: broadcast.JobSend, Enqueued: enqueued, Snoozed: snoozed}
	}
	for _, e := range []dispatch.Event{
		event(broadcast.EventAttempt, "webhook", 0, false),
		event(broadcast.EventRetry, "webhook", 0, false), // 503: backoff
		event(broadcast.EventAttempt, "webhook", 0, false),
		event(broadcast.EventDelivered, "webhook", 1500*time.Millisecond, false),
		event(broadcast.EventAttempt, "x", 0, false),
		event(broadcast.EventRetry, "x", 0, true), // 429: snoozed until the reset
	} {
		m.Observe(e)
	}

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		if line := lines.Text(); !strings.HasPrefix(line, "#") && !strings.Contains(line, "_bucket") {
			fmt.Println(line)
		}
	}
	// Output:
	// outagecast_dispatch_attempts_total{channel="webhook",kind="send"} 2
	// outagecast_dispatch_attempts_total{channel="x",kind="send"} 1
	// outagecast_dispatch_deliveries_total{channel="webhook",kind="send"} 1
	// outagecast_dispatch_enqueue_to_delivery_seconds_sum{channel="webhook",kind="send"} 1.5
	// outagecast_dispatch_enqueue_to_delivery_seconds_count{channel="webhook",kind="send"} 1
	// outagecast_dispatch_retries_total{channel="webhook",kind="send",reason="backoff"} 1
	// outagecast_dispatch_retries_total{channel="x",kind="send",reason="snooze"} 1
}
