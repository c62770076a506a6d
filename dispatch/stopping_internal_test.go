package dispatch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// fakeRiver stands in for River's client in Start and Stop. Its Start
// pings the database, which does not answer, until its ctx ends, as
// River's first ping of a database whose host drops the packets does
// (for as long as the connection string's connect_timeout, when it has
// one). Its Stop and StopAndCancel wait for its jobs, which end only
// when release is closed, within their ctx.
type fakeRiver struct {
	pinging chan struct{} // closed once Start pings
	pinged  chan error    // what ended the ping
	release chan struct{}
	ended   sync.Once
	stopped chan struct{}
}

func newFakeRiver() *fakeRiver {
	return &fakeRiver{pinging: make(chan struct{}), pinged: make(chan error, 1), release: make(chan struct{}),
		stopped: make(chan struct{})}
}

func (f *fakeRiver) Start(ctx context.Context) error {
	close(f.pinging)
	<-ctx.Done()
	f.pinged <- ctx.Err()
	return ctx.Err()
}

// end ends the jobs, once.
func (f *fakeRiver) end() { f.ended.Do(func() { close(f.release) }) }

func (f *fakeRiver) Stop(ctx context.Context) error { return f.wait(ctx) }

func (f *fakeRiver) StopAndCancel(ctx context.Context) error { return f.wait(ctx) }

func (f *fakeRiver) wait(ctx context.Context) error {
	select {
	case <-f.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeRiver) Stopped() <-chan struct{} { return f.stopped }

// fakeDispatcher is a Dispatcher whose River is f, on a database that
// passes Start's checks.
func fakeDispatcher(t *testing.T, f *fakeRiver) *Dispatcher {
	t.Helper()
	d, _ := failingDispatcher(t)
	d.river = f
	d.checkDB = func(context.Context) error { return nil }
	return d
}

// Stop called while Start's River pings the database for the first time
// ends that ping, and Start, at once: Start fails with ErrStopped, and
// Stop returns. Before, River's Start ran by Start's own ctx, which Stop
// could not end: Stop waited for the ping (as long as the database's
// connect timeout, or for ever without one), and Start then failed with
// the ping's error.
func TestStopEndsRiversFirstPing(t *testing.T) {
	f := newFakeRiver()
	f.end() // no job runs
	d := fakeDispatcher(t, f)
	// The ping's bound: the database's connect timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- d.Start(ctx) }()
	<-f.pinging
	require.NoError(t, d.Stop(context.Background()))
	assert.ErrorIs(t, <-f.pinged, context.Canceled, "the ping was ended by Stop, not by its timeout")
	err := <-started
	require.ErrorIs(t, err, ErrStopped)
	assert.EqualError(t, err, "dispatch: start: dispatch: stopped before the workers started")
}

// stuckDispatcher is fakeDispatcher (River: f) with JobTimeout timeout,
// whose channel "x" ignores its ctx: a delivery ends once f.release is
// closed. run runs a job of an update to it, as River's worker does, and
// returns once the delivery is under way; wait waits for its run to end.
func stuckDispatcher(t *testing.T, f *fakeRiver, timeout time.Duration) (d *Dispatcher, run func(id int64), wait func()) {
	t.Helper()
	pcfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=5&connect_timeout=2")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	entered := make(chan struct{}, 10)
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			entered <- struct{}{}
			<-f.release
			return broadcast.Receipt{ID: "post"}, nil
		})},
		broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	d, err = New(Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(), Workers: 1,
		JobTimeout: timeout, ReconnectWait: -1, PollOnly: true})
	require.NoError(t, err)
	d.river = f
	d.checkDB = func(context.Context) error { return nil }
	var runs sync.WaitGroup
	t.Cleanup(func() {
		f.end()
		runs.Wait()
	})
	return d, func(id int64) {
			jobs, err := b.Jobs(broadcast.JobSend, broadcast.Update{ID: "u-1", Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			now := time.Now()
			row := &rivertype.JobRow{ID: id, Kind: KindSend, Attempt: 1, MaxAttempts: 3 + maxRescues,
				State: rivertype.JobStateRunning, AttemptedAt: &now, CreatedAt: now}
			runs.Go(func() { _ = d.work(context.Background(), row, jobs[0]) })
			<-entered
		}, func() {
			runs.Wait()
		}
}

// A Stop whose ctx was cancelled, whose jobs outlast JobTimeout more,
// fails with its ctx's error, context.Canceled, naming the jobs still
// running. Before, it failed with "context deadline exceeded", the error
// of its own wait of JobTimeout, and did not say which jobs.
func TestStopCancelledFailsWithItsCtxsError(t *testing.T) {
	f := newFakeRiver()
	d, run, wait := stuckDispatcher(t, f, 10*time.Millisecond)
	run(7)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as a program's signal context ends
	err := d.Stop(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, `dispatch: stop: still running: job 7 (send of update "u-1" on "x"): context canceled`)
	f.end()
	wait()
}

// A Stop whose ctx never ends (context.Background, as the package doc's
// defer d.Stop does) returns once River has cut the attempts short
// (JobTimeout after Stop began) and JobTimeout more has passed, failing
// with context.DeadlineExceeded and naming the run of a Channel that
// ignores its ctx. That run is left as it was: not ended by Stop, no
// event of its end; once Send returns, it ends as delivered. Before, Stop
// waited for that run for ever.
func TestStopEndsThoughAChannelIgnoresItsCtx(t *testing.T) {
	f := newFakeRiver()
	d, run, wait := stuckDispatcher(t, f, 10*time.Millisecond)
	var mu sync.Mutex
	var events []broadcast.EventKind
	d.cfg.OnEvent = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Kind)
	}
	run(7)
	stopped := make(chan error, 1)
	go func() { stopped <- d.Stop(context.Background()) }()
	var err error
	select {
	case err = <-stopped:
	case <-time.After(time.Minute): // a hang guard, far past the 20ms Stop may wait
		t.Fatal("Stop waits for the run of a Channel that ignores its ctx")
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, `dispatch: stop: still running: job 7 (send of update "u-1" on "x"): `+
		`not ended 20ms after Stop began, their attempts cut short at 10ms: context deadline exceeded`)
	mu.Lock()
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt}, events, "the run has not ended")
	mu.Unlock()

	f.end()
	wait()
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventDelivered}, events)
}

// A job whose run outlasted RescueAfter (its Channel ignoring its ctx) is
// rescued by River and may be run again here beside it: each run is named
// by a failed Stop until it ends. Before, the runs shared one entry, which
// the first to end removed: a Stop failing for the run still under way
// said that none was.
func TestRunningJobsKeepsEachRunOfAJob(t *testing.T) {
	var r runningJobs
	j := broadcast.Job{Kind: broadcast.JobSend, Update: broadcast.Update{ID: "u-1"}, Channel: "x"}
	endStuck := r.add(7, j)
	endAgain := r.add(7, j) // the job rescued, run again here
	endStuck()              // its Channel's Send returned at last
	assert.Equal(t, `job 7 (send of update "u-1" on "x")`, r.list())
	endAgain()
	assert.Equal(t, "no job's run (River's own work)", r.list())
}

// stopClock is fakeRiver noting when Stop reached River, and the
// deadline of the ctx StopAndCancel was given, which it fails at once,
// as for a run whose Channel ignores its ctx.
type stopClock struct {
	*fakeRiver
	stopEntered time.Time
	cancelUntil time.Time
}

func (s *stopClock) Stop(ctx context.Context) error {
	s.stopEntered = time.Now()
	return s.fakeRiver.Stop(ctx)
}

func (s *stopClock) StopAndCancel(ctx context.Context) error {
	s.cancelUntil, _ = ctx.Deadline()
	return context.DeadlineExceeded
}

// A Stop whose ctx ends before twice JobTimeout has passed (River cut the
// attempts short at JobTimeout) waits for them no later than twice
// JobTimeout after it began, as its doc says, whatever ctx. Before, it
// gave them JobTimeout more after ctx ended: up to three times JobTimeout
// in all.
func TestStopCancellingLateWaitsNoLongerThanTwiceJobTimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	f := newFakeRiver()
	d, run, wait := stuckDispatcher(t, f, timeout)
	s := &stopClock{fakeRiver: f}
	d.river = s
	run(7)
	// The caller's deadline comes after River cut the attempts short,
	// shortly before twice JobTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), timeout*19/10)
	defer cancel()
	err := d.Stop(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "job 7")
	require.False(t, s.cancelUntil.IsZero(), "StopAndCancel's ctx has a deadline")
	assert.False(t, s.cancelUntil.After(s.stopEntered.Add(2*timeout)),
		"StopAndCancel may wait until %v after Stop began, past twice JobTimeout", s.cancelUntil.Sub(s.stopEntered))
	f.end()
	wait()
}
