package dispatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A run that failed after RescueAfter (it went on recording while the
// database was away, or RescueAfter is set below JobTimeout plus
// ReconnectWait) is retried by the backoff, as any failed run is: it was
// taken for one River's rescuer took back from a dead worker, which
// NextRetry runs again at once, and the failing platform was tried again
// with no wait, the attempt used up. Its EventRetry said no wait too.
func TestSlowFailedRunIsRetriedByTheBackoff(t *testing.T) {
	pcfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=5&connect_timeout=2")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var d *Dispatcher
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			// The attempt lasts past RescueAfter: a run of another job
			// starting then reads the database's clock that much later.
			later := d.retry.now().Add(DefaultRescueAfter + time.Minute)
			d.retry.clock.sync(&rivertype.JobRow{AttemptedAt: &later})
			return broadcast.Receipt{}, errors.New("503")
		})},
		broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	var events []Event
	d, err = New(Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(), Workers: 1,
		Retry:         broadcast.RetryPolicy{MaxAttempts: 5, InitialInterval: 10 * time.Second, MaxInterval: time.Hour, MaxElapsed: 6 * time.Hour},
		ReconnectWait: -1,
		OnEvent:       func(e Event) { events = append(events, e) }})
	require.NoError(t, err)

	started := time.Now()
	row := &rivertype.JobRow{ID: 3, Kind: KindSend, Attempt: 3, MaxAttempts: 5 + maxRescues, State: rivertype.JobStateRunning,
		AttemptedAt: &started, CreatedAt: started.Add(-time.Minute)}
	jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
	require.NoError(t, err)
	job := jobs[0]
	m := &strayFailures{d: d}
	err = m.Work(context.Background(), row, func(ctx context.Context) error { return d.work(ctx, row, job) })
	require.Error(t, err)
	require.NotErrorAs(t, err, new(*rivertype.JobSnoozeError))
	require.NotErrorAs(t, err, new(*rivertype.JobCancelError))

	// River asks the worker once the run returned.
	w := &worker[sendArgs]{d: d}
	next := w.NextRetry(&river.Job[sendArgs]{JobRow: row})
	wait := next.Sub(d.retry.now())
	assertBackoff(t, 40*time.Second, wait, "the retry of a run that failed slowly waited %v", wait)
	require.NotEmpty(t, events)
	e := events[len(events)-1]
	assert.Equal(t, broadcast.EventRetry, e.Kind)
	assert.False(t, e.Snoozed)
	assertBackoff(t, 40*time.Second, e.Delay, "its EventRetry")

	// A row River's rescuer read (not run here) that started as long ago
	// still runs again at once.
	stuck := *row
	assert.False(t, w.NextRetry(&river.Job[sendArgs]{JobRow: &stuck}).After(time.Now()), "a rescue waits for nothing")
}
