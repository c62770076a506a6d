package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/dispatch/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func event(kind broadcast.EventKind, channel string) dispatch.Event {
	var e dispatch.Event
	e.Kind, e.Channel = kind, channel
	return e
}

func TestCollectorCountsEvents(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(m))

	enqueued := time.Date(2025, 3, 14, 15, 9, 0, 0, time.UTC)
	for _, e := range []dispatch.Event{
		event(broadcast.EventAttempt, "x"),
		event(broadcast.EventRetry, "x"),
		event(broadcast.EventAttempt, "x"),
		event(broadcast.EventAttempt, "email"),
		event(broadcast.EventFailed, "email"),
		event(broadcast.EventSkipped, "email"),
	} {
		m.Observe(e)
	}
	snooze := event(broadcast.EventRetry, "x")
	snooze.Snoozed = true
	m.Observe(snooze)
	delivered := event(broadcast.EventDelivered, "x")
	delivered.Enqueued, delivered.Time = enqueued, enqueued.Add(700*time.Millisecond)
	m.Observe(delivered)

	want := `
# HELP outagecast_dispatch_attempts_total Delivery attempts started, per channel.
# TYPE outagecast_dispatch_attempts_total counter
outagecast_dispatch_attempts_total{channel="email"} 1
outagecast_dispatch_attempts_total{channel="x"} 2
# HELP outagecast_dispatch_deliveries_total Updates delivered, per channel.
# TYPE outagecast_dispatch_deliveries_total counter
outagecast_dispatch_deliveries_total{channel="x"} 1
# HELP outagecast_dispatch_failures_total Deliveries given up (failed for good or out of attempts), per channel.
# TYPE outagecast_dispatch_failures_total counter
outagecast_dispatch_failures_total{channel="email"} 1
# HELP outagecast_dispatch_retries_total Attempts that failed and will run again, per channel; reason "snooze" (no attempt used) or "backoff".
# TYPE outagecast_dispatch_retries_total counter
outagecast_dispatch_retries_total{channel="x",reason="backoff"} 1
outagecast_dispatch_retries_total{channel="x",reason="snooze"} 1
`
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"outagecast_dispatch_attempts_total", "outagecast_dispatch_deliveries_total",
		"outagecast_dispatch_failures_total", "outagecast_dispatch_retries_total"))

	n, err := testutil.GatherAndCount(reg, "outagecast_dispatch_enqueue_to_delivery_seconds")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one channel's histogram")
	h := &strings.Builder{}
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == "outagecast_dispatch_enqueue_to_delivery_seconds" {
			hist := mf.GetMetric()[0].GetHistogram()
			assert.Equal(t, uint64(1), hist.GetSampleCount())
			assert.InDelta(t, 0.7, hist.GetSampleSum(), 1e-9)
			h.WriteString("found")
		}
	}
	assert.Equal(t, "found", h.String())
}
