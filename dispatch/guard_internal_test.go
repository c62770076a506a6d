package dispatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// recordPanics is a Logger's handler with a bug: every record panics,
// and Enabled too when told to; each call first calls before, if set.
type recordPanics struct {
	enabled bool
	calls   *atomic.Int32
	before  func()
}

func (h recordPanics) call() {
	h.calls.Add(1)
	if h.before != nil {
		h.before()
	}
}

func (h recordPanics) Enabled(context.Context, slog.Level) bool {
	h.call()
	if h.enabled {
		panic("Logger bug: enabled")
	}
	return true
}

func (h recordPanics) Handle(context.Context, slog.Record) error {
	h.call()
	panic("Logger bug")
}

func (h recordPanics) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordPanics) WithGroup(string) slog.Handler      { return h }

// guardedDispatcher is a Dispatcher made by New with cfg, of one channel
// that delivers (counted in posts), whose Pool never connects (its
// BeforeConnect fails).
func guardedDispatcher(t *testing.T, cfg Config) (*Dispatcher, *atomic.Int32) {
	t.Helper()
	pcfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=14")
	require.NoError(t, err)
	pcfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { return errors.New("the database is away") }
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var posts atomic.Int32
	cfg.Store = cmp.Or(cfg.Store, broadcast.Store(broadcast.NewMemoryStore()))
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			posts.Add(1)
			return broadcast.Receipt{ID: "post-1"}, nil
		})}, broadcast.Options{Store: cfg.Store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	cfg.Pool, cfg.Broadcaster = pool, b
	cfg.Retry = broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, MaxInterval: time.Minute, MaxElapsed: time.Hour}
	d, err := New(cfg)
	require.NoError(t, err)
	return d, &posts
}

// Config.Logger was used as given: a handler that panicked after a run's
// outcome (telling of a panic in OnEvent, of a clock off from the
// database's, of a lost lock) made River take the run for a failed one
// and run the delivered job again, posting it a second time when the
// Store had not recorded the delivery; and one that panicked in River's
// goroutines, or in the listener's, took the process down. Every use of
// it is guarded now: the record is lost, and the run's outcome stands.
func TestAPanickingLoggerFailsNoRun(t *testing.T) {
	for _, tt := range []struct {
		name    string
		enabled bool // Enabled panics too
		store   broadcast.Store
	}{
		{"on every record", false, nil},
		{"in Enabled too", true, nil},
		{"delivery not recorded", false, markLost{broadcast.NewMemoryStore()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var kinds []broadcast.EventKind
			d, posts := guardedDispatcher(t, Config{Store: tt.store,
				Logger: slog.New(recordPanics{enabled: tt.enabled, calls: &calls}),
				OnEvent: func(e Event) {
					kinds = append(kinds, e.Kind)
					panic("a bug in OnEvent") // logged through the Logger
				}})
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			// An instance 5 minutes behind the database: the run warns.
			dbNow := time.Now().Add(5 * time.Minute).Round(0)
			row := &rivertype.JobRow{ID: 7, Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: dbNow, AttemptedAt: &dbNow}
			m := &strayFailures{d: d}
			require.NotPanics(t, func() {
				err = m.Work(context.Background(), row, func(ctx context.Context) error { return d.work(ctx, row, jobs[0]) })
			}, "nothing for River to retry")
			require.NoError(t, err, "the job completes")
			assert.Equal(t, int32(1), posts.Load())
			assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventDelivered}, kinds)
			assert.Positive(t, calls.Load(), "the handler was called")
		})
	}
}

// River logs through the Logger it is given from goroutines of its own
// (its producers, its leader's maintenance), where a panic ends the
// process, and so does the listener for finished jobs: both have
// Config.Logger guarded, as has New's own warning.
func TestAPanickingLoggerCrashesNoGoroutine(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		t.Run(fmt.Sprint("enabled panics: ", enabled), func(t *testing.T) {
			var calls atomic.Int32
			cancel := func() {}
			var d *Dispatcher
			require.NotPanics(t, func() {
				d, _ = guardedDispatcher(t, Config{JobTimeout: time.Second, RescueAfter: 2 * time.Second,
					Logger: slog.New(recordPanics{enabled: enabled, calls: &calls, before: func() { cancel() }})})
			}, "New warns of RescueAfter")
			assert.Positive(t, calls.Load())

			rc := d.riverConfig(river.NewWorkers(), d.client.ID())
			require.NotPanics(t, func() { rc.Logger.Error("River's own record") }, "River's Logger")

			calls.Store(0)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			cancel = stop
			require.NotPanics(t, func() { d.listen(ctx) }, "the listener logs its lost connection, then ctx ends")
			assert.Positive(t, calls.Load())
		})
	}
}
