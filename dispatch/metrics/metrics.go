// Package metrics exports what package dispatch does as Prometheus
// metrics, for operators: attempts, deliveries, failures and retries per
// channel, and the time from Enqueue to delivery. It is a package of its
// own so that programs without Prometheus do not depend on its client.
//
//	m := metrics.New()
//	prometheus.MustRegister(m)
//	d, err := dispatch.New(dispatch.Config{..., OnEvent: m.Observe})
//
// Each instance counts the jobs it runs; sum over instances in queries.
//
// # Metrics
//
// Every metric has the labels channel and kind: the job's kind, "send" (an
// update), "correct" (a correction: an edit in place, or a post in the
// thread) or "retract" (a retraction: a deletion); "unknown" for any other
// (a job given up whose args this version could not read in full, or of a
// kind it does not know), so that the kind has these four values alone. A dashboard of how fast and how well
// updates reach customers selects kind="send"; summing over kind counts
// every job. (Not "job": Prometheus gives every series it scrapes a job
// label of its own.)
//
//   - outagecast_dispatch_attempts_total{channel,kind}: attempts started
//     (see dispatch.Event: a run that waits without one, counted in
//     retries_total as a snooze, is not one; a run that starts and then
//     finds the channel busy, its Broadcaster closed or a retraction
//     under way, broadcast.NotTried, is, and so is one that finds the
//     update delivered already, superseded or not selected for the
//     channel, since that is known only once it runs).
//   - outagecast_dispatch_deliveries_total{channel,kind}: jobs done by the
//     platform: updates and corrections delivered, posts deleted.
//   - outagecast_dispatch_failures_total{channel,kind}: jobs given up
//     (failed for good or out of attempts).
//   - outagecast_dispatch_retries_total{channel,kind,reason}: runs that
//     will run again; reason "snooze" (a wait that uses no attempt: the
//     platform asked to wait, or the job waits for its original's
//     delivery, a busy lock, or an instance that has its channel) or
//     "backoff".
//   - outagecast_dispatch_enqueue_to_delivery_seconds{channel,kind}:
//     histogram of the time from Enqueue (or Correct, Retract) to the
//     delivery (the edit, the deletion), by the database's clock
//     (dispatch.Event's Enqueued and Time), whatever this instance's says;
//     a correction's or a retraction's takes in its wait for the delivery
//     of its update.
//
// # Limits
//
// Counts are per instance and start at zero when it starts; a job run by
// another instance shows there. Channel names are label values: keep
// their number bounded (they are the configured channels). A job given up
// whose args this version could not read in full counts under channel=""
// unless they name one of the instance's channels (see dispatch.Event).
//
// # Errors
//
// None: Observe never fails, and events of kinds it does not count are
// ignored.
package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Collector counts dispatch Events. It is a prometheus.Collector; register
// it, and pass its Observe as dispatch.Config.OnEvent.
type Collector struct {
	attempts   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	failures   *prometheus.CounterVec
	retries    *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

var _ prometheus.Collector = (*Collector)(nil)

// Buckets of the enqueue-to-delivery histogram, in seconds: from a fast
// channel on an idle queue to a channel that waited out rate limits.
var Buckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// New returns a Collector with every metric at zero.
func New() *Collector {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "outagecast", Subsystem: "dispatch", Name: name, Help: help,
		}, append([]string{"channel", "kind"}, labels...))
	}
	return &Collector{
		attempts: counter("attempts_total", "Delivery attempts started, per channel and job kind."),
		deliveries: counter("deliveries_total",
			`Jobs delivered, per channel and job kind: "send" an update, "correct" a correction, "retract" a deletion.`),
		failures: counter("failures_total", `Jobs given up (failed for good or out of attempts), per channel and job kind; "unknown" for a kind this version does not know.`),
		retries: counter("retries_total",
			`Attempts that failed and will run again, per channel and job kind; reason "snooze" (no attempt used) or "backoff".`,
			"reason"),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "outagecast", Subsystem: "dispatch", Name: "enqueue_to_delivery_seconds",
			Help:    "Time from Enqueue to the delivery of a job, per channel and job kind.",
			Buckets: Buckets,
		}, []string{"channel", "kind"}),
	}
}

// Observe counts e. It is safe for concurrent use.
func (c *Collector) Observe(e dispatch.Event) {
	kind := kindLabel(e.Job)
	// Prometheus panics on a label value not valid UTF-8.
	e.Channel = strings.ToValidUTF8(e.Channel, "\uFFFD")
	switch e.Kind {
	case broadcast.EventAttempt:
		c.attempts.WithLabelValues(e.Channel, kind).Inc()
	case broadcast.EventDelivered:
		c.deliveries.WithLabelValues(e.Channel, kind).Inc()
		if !e.Enqueued.IsZero() {
			c.latency.WithLabelValues(e.Channel, kind).Observe(max(e.Time.Sub(e.Enqueued).Seconds(), 0))
		}
	case broadcast.EventFailed:
		c.failures.WithLabelValues(e.Channel, kind).Inc()
	case broadcast.EventRetry:
		reason := "backoff"
		if e.Snoozed {
			reason = "snooze"
		}
		c.retries.WithLabelValues(e.Channel, kind, reason).Inc()
	}
}

// unknownKind is the kind label of a job of no kind this version knows.
const unknownKind = "unknown"

// kindLabel returns the kind label of a job of kind k: its kind, or
// unknownKind for any but send, correct and retract, whose text (that of
// a stray job's args) would make a series of its own.
func kindLabel(k broadcast.JobKind) string {
	switch k {
	case broadcast.JobSend, broadcast.JobCorrect, broadcast.JobRetract:
		return string(k)
	}
	return unknownKind
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.collectors() {
		m.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.collectors() {
		m.Collect(ch)
	}
}

func (c *Collector) collectors() []prometheus.Collector {
	return []prometheus.Collector{c.attempts, c.deliveries, c.failures, c.retries, c.latency}
}
