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
	e.Kind, e.Channel, e.Job = kind, channel, broadcast.JobSend
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
# HELP outagecast_dispatch_attempts_total Delivery attempts started, per channel and job kind.
# TYPE outagecast_dispatch_attempts_total counter
outagecast_dispatch_attempts_total{channel="email",kind="send"} 1
outagecast_dispatch_attempts_total{channel="x",kind="send"} 2
# HELP outagecast_dispatch_deliveries_total Jobs delivered, per channel and job kind: "send" an update, "correct" a correction, "retract" a deletion.
# TYPE outagecast_dispatch_deliveries_total counter
outagecast_dispatch_deliveries_total{channel="x",kind="send"} 1
# HELP outagecast_dispatch_failures_total Jobs given up (failed for good or out of attempts), per channel and job kind; "unknown" for a kind this version does not know.
# TYPE outagecast_dispatch_failures_total counter
outagecast_dispatch_failures_total{channel="email",kind="send"} 1
# HELP outagecast_dispatch_retries_total Attempts that failed and will run again, per channel and job kind; reason "snooze" (no attempt used) or "backoff".
# TYPE outagecast_dispatch_retries_total counter
outagecast_dispatch_retries_total{channel="x",kind="send",reason="backoff"} 1
outagecast_dispatch_retries_total{channel="x",kind="send",reason="snooze"} 1
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

// A retraction's deletion and a correction's edit are not the delivery of
// an update: they were counted in deliveries_total and the
// enqueue-to-delivery histogram with the updates, under the channel alone,
// so that a retraction (which waits for its update's delivery) made
// updates look delivered more often and later than they were. Each
// metric says the job's kind.
func TestCollectorTellsTheJobKinds(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(m))

	enqueued := time.Date(2026, 3, 14, 15, 9, 0, 0, time.UTC)
	for i, kind := range []broadcast.JobKind{broadcast.JobSend, broadcast.JobCorrect, broadcast.JobRetract} {
		e := event(broadcast.EventDelivered, "x")
		e.Job, e.Enqueued, e.Time = kind, enqueued, enqueued.Add(time.Duration(i+1)*time.Second)
		m.Observe(e)
		e.Kind = broadcast.EventFailed
		m.Observe(e)
	}
	want := `
# HELP outagecast_dispatch_deliveries_total Jobs delivered, per channel and job kind: "send" an update, "correct" a correction, "retract" a deletion.
# TYPE outagecast_dispatch_deliveries_total counter
outagecast_dispatch_deliveries_total{channel="x",kind="correct"} 1
outagecast_dispatch_deliveries_total{channel="x",kind="retract"} 1
outagecast_dispatch_deliveries_total{channel="x",kind="send"} 1
# HELP outagecast_dispatch_failures_total Jobs given up (failed for good or out of attempts), per channel and job kind; "unknown" for a kind this version does not know.
# TYPE outagecast_dispatch_failures_total counter
outagecast_dispatch_failures_total{channel="x",kind="correct"} 1
outagecast_dispatch_failures_total{channel="x",kind="retract"} 1
outagecast_dispatch_failures_total{channel="x",kind="send"} 1
`
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"outagecast_dispatch_deliveries_total", "outagecast_dispatch_failures_total"))

	mfs, err := reg.Gather()
	require.NoError(t, err)
	sums := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "outagecast_dispatch_enqueue_to_delivery_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" {
					sums[l.GetValue()] = m.GetHistogram().GetSampleSum()
				}
			}
		}
	}
	assert.Equal(t, map[string]float64{"send": 1, "correct": 2, "retract": 3}, sums)
}

// A job given up whose args this version cannot read in full (a stray
// job, or one of a later version) carries whatever kind text they held:
// each distinct text would have made series of its own, without bound.
// Every kind but send, correct and retract is counted as "unknown" (one
// not valid UTF-8, which Observe may be given, made it panic).
func TestCollectorBoundsTheJobKinds(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(m))

	for _, kind := range []broadcast.JobKind{"", "resend", "x\x00y", "\xff", "SEND", broadcast.JobKind(strings.Repeat("k", 300))} {
		e := event(broadcast.EventFailed, "x")
		e.Job = kind
		m.Observe(e)
		e.Kind = broadcast.EventAttempt
		m.Observe(e)
	}
	want := `
# HELP outagecast_dispatch_attempts_total Delivery attempts started, per channel and job kind.
# TYPE outagecast_dispatch_attempts_total counter
outagecast_dispatch_attempts_total{channel="x",kind="unknown"} 6
# HELP outagecast_dispatch_failures_total Jobs given up (failed for good or out of attempts), per channel and job kind; "unknown" for a kind this version does not know.
# TYPE outagecast_dispatch_failures_total counter
outagecast_dispatch_failures_total{channel="x",kind="unknown"} 6
`
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"outagecast_dispatch_attempts_total", "outagecast_dispatch_failures_total"))
}

// A channel text not valid UTF-8, which Observe may be given, made it
// panic, although it never fails: Prometheus takes no such label value.
// It is counted with its invalid bytes as U+FFFD; a job given up with no
// channel (its args unreadable: see dispatch.Event) counts under "".
func TestCollectorTakesAnyChannelText(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(m))

	for _, channel := range []string{"x\xff", "", "x\xfe"} {
		require.NotPanics(t, func() { m.Observe(event(broadcast.EventFailed, channel)) })
	}
	want := `
# HELP outagecast_dispatch_failures_total Jobs given up (failed for good or out of attempts), per channel and job kind; "unknown" for a kind this version does not know.
# TYPE outagecast_dispatch_failures_total counter
outagecast_dispatch_failures_total{channel="",kind="send"} 1
outagecast_dispatch_failures_total{channel="x�",kind="send"} 2
`
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), "outagecast_dispatch_failures_total"))
}
