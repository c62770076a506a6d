//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// listening waits until a session of application name other than the
// one of process ID not LISTENs for finished jobs (the Dispatcher's own
// connection, made again), and returns its process ID.
func listening(ctx context.Context, t *testing.T, admin *pgxpool.Pool, name string, not int) int {
	t.Helper()
	for {
		var pid int
		err := admin.QueryRow(ctx, "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = $1 AND query = $2 AND pid <> $3",
			name, "LISTEN outagecast_dispatch_finished", not).Scan(&pid)
		require.NoError(t, err)
		if pid != 0 {
			return pid
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no session of %s listens: %v", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wakeRig is two instances on one database, A and B, reading the jobs
// every 10 minutes only (Config.PollInterval): within the test's deadline,
// only a notification wakes a waiter. B runs the jobs; A works another
// queue, and waits. Channel "slow" posts once release is closed.
type wakeRig struct {
	a, b    *instance
	admin   *pgxpool.Pool
	nameA   string
	nameB   string
	release chan struct{}
	// listener is the process ID of A's listening session.
	listener int
}

func newWakeRig(ctx context.Context, t *testing.T) *wakeRig {
	return newWakeRigStarting(ctx, t, func(d *dispatch.Dispatcher) { require.NoError(t, d.Start(context.Background())) })
}

// newWakeRigStarting is newWakeRig whose B is started by startB.
func newWakeRigStarting(ctx context.Context, t *testing.T, startB func(*dispatch.Dispatcher)) *wakeRig {
	base := newSchema(t)
	suffix := strings.ToLower(rand.Text()[:8])
	r := &wakeRig{nameA: "wake_a_" + suffix, nameB: "wake_b_" + suffix, release: make(chan struct{})}
	var err error
	r.admin, err = pgxpool.New(ctx, base)
	require.NoError(t, err)
	t.Cleanup(r.admin.Close)
	slow := broadcast.ChannelFunc("slow", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		select {
		case <-r.release:
			return broadcast.Receipt{Channel: "slow", ID: "post-" + m.Update.ID}, nil
		case <-ctx.Done():
			return broadcast.Receipt{}, ctx.Err()
		}
	})
	channels := []broadcast.Channel{newCounting("fast"), slow}
	r.a = newInstance(t, named(t, base, r.nameA), channels, broadcast.Options{},
		dispatch.Config{Queue: "elsewhere", Workers: 1, PollInterval: 10 * time.Minute})
	r.b = newInstance(t, named(t, base, r.nameB), channels, broadcast.Options{},
		dispatch.Config{Workers: 2, PollInterval: 10 * time.Minute})
	r.a.start(t)
	startB(r.b.d)
	r.listener = listening(ctx, t, r.admin, r.nameA, 0)
	return r
}

// watch enqueues an update on B and watches it from A until channel
// "fast" is done (the first read is behind it; "slow" is still posting);
// then it calls then, releases "slow", and requires A's Watch to return,
// delivered.
func (r *wakeRig) watch(ctx context.Context, t *testing.T, then func()) {
	t.Helper()
	u := update(1)
	u.ID = "wake-" + rand.Text() // of its own: notifications are database-wide
	id, err := r.b.d.Enqueue(ctx, nil, u)
	require.NoError(t, err)
	finished := make(chan string, 2)
	done := make(chan error, 1)
	go func() {
		_, err := r.a.d.Watch(ctx, id, func(res broadcast.Result) { finished <- res.Channel })
		done <- err
	}()
	select {
	case ch := <-finished:
		require.Equal(t, "fast", ch)
	case err := <-done:
		t.Fatalf("Watch returned before slow posted: %v", err)
	}
	then()
	close(r.release)
	require.NoError(t, <-done, "woken by B's notification before the test's deadline, not by PollInterval")
	require.Equal(t, "slow", <-finished)
}

// A Wait on instance A for a job that instance B runs returns when the
// job finishes: B notifies, A listens and reads again. Without the
// notification, A would read again only after PollInterval (10 minutes),
// past the test's deadline.
func TestWaitIsWokenWhenAnotherInstanceFinishesAJob(t *testing.T) {
	ctx := waitCtx(t)
	r := newWakeRig(ctx, t)
	r.watch(ctx, t, func() {})
}

// PostgreSQL restarts (every session of both instances ends) while A
// waits: A's listening connection is made again, and the notification of
// the job B finishes after the restart wakes A's Wait.
func TestWaitIsWokenAfterPostgresRestarts(t *testing.T) {
	ctx := waitCtx(t)
	r := newWakeRig(ctx, t)
	r.watch(ctx, t, func() {
		for _, name := range []string{r.nameA, r.nameB} {
			n, err := terminate(ctx, r.admin, name)
			require.NoError(t, err)
			require.Positive(t, n)
		}
		// Listening again: a wake-up from here on is B's notification.
		listening(ctx, t, r.admin, r.nameA, r.listener)
	})
}

// B is stopped by cancelling its Start's ctx while "slow" posts: River
// stops fetching, and the job finishes during its soft stop, after the
// ctx ended. B still notifies it, and A's Wait returns.
func TestWaitIsWokenByAJobFinishingAfterStartsCtxEnds(t *testing.T) {
	ctx := waitCtx(t)
	bctx, bcancel := context.WithCancel(context.Background())
	defer bcancel()
	r := newWakeRigStarting(ctx, t, func(d *dispatch.Dispatcher) { require.NoError(t, d.Start(bctx)) })
	r.watch(ctx, t, bcancel)
}

// A second Start on a running B does nothing: the ctx it was given ending
// stops neither B's notifications nor its listening.
func TestStartTwiceKeepsTheWakeUps(t *testing.T) {
	ctx := waitCtx(t)
	r := newWakeRigStarting(ctx, t, func(d *dispatch.Dispatcher) {
		require.NoError(t, d.Start(context.Background()))
		ctx2, cancel2 := context.WithCancel(context.Background())
		require.NoError(t, d.Start(ctx2))
		cancel2()
	})
	r.watch(ctx, t, func() {})
	listening(ctx, t, r.admin, r.nameB, 0)
}

// Start right after its last Start's ctx was cancelled (River may still
// be stopping) starts B again: its workers run the jobs and it notifies.
func TestStartAfterStartsCtxEnds(t *testing.T) {
	ctx := waitCtx(t)
	r := newWakeRigStarting(ctx, t, func(d *dispatch.Dispatcher) {
		bctx, bcancel := context.WithCancel(context.Background())
		require.NoError(t, d.Start(bctx))
		bcancel()
		require.NoError(t, d.Start(context.Background()))
	})
	r.watch(ctx, t, func() {})
}
