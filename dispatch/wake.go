package dispatch

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/outagecast/outagecast/internal/pgretry"
	"github.com/outagecast/outagecast/internal/slogguard"
)

// finishedChannel is the PostgreSQL notification channel on which a
// started Dispatcher says that a job finished (completed, cancelled,
// failed: River recorded a new end state); the payload is the update ID
// the job carries (of its delivery, correction or retraction).
const finishedChannel = "outagecast_dispatch_finished"

// Waits of the listener between two tries to connect: doubling from the
// first to the last, with jitter, so that a database away is not asked
// again and again.
const (
	listenRetryFirst = 250 * time.Millisecond
	listenRetryMax   = 10 * time.Second
)

// listenCheckEvery is how long the listener waits for a notification
// before it checks, with a ping answered within as long, that its server
// is still there.
const listenCheckEvery = 30 * time.Second

// notifyTimeout bounds one notification of finished jobs: a database
// away loses it, and the waiters read at Config.PollInterval instead.
const notifyTimeout = 5 * time.Second

// maxNotifyBatch bounds the finished jobs said in one statement.
const maxNotifyBatch = 100

// Changes returns a channel that receives a value when a job of update
// updateID (its delivery, the correction with that ID, or its
// retraction) may have changed state: at once when one finishes on any
// started instance, and every Config.PollInterval as a safety net (a
// notification lost with its connection, an instance that stopped before
// it could send it, a Dispatcher not started or PollOnly, an event River
// dropped when thousands of jobs finished at once; and the finishes River
// makes without an event: an operator's cancel of a job not running, the
// rescuer discarding a job). It also receives when this Dispatcher's
// listening connection is made again after a loss, since finishes may
// have been missed meanwhile. The value says only "read again" (Report):
// values do not queue up, the channel holds one at most. stop releases it; call it when done.
func (d *Dispatcher) Changes(updateID string) (c <-chan struct{}, stop func()) {
	if !d.made() {
		return closedChanges, func() {}
	}
	w := &waiter{c: make(chan struct{}, 1)}
	d.waiters.add(updateID, w)
	w.mu.Lock()
	w.t = time.AfterFunc(d.cfg.PollInterval, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.stopped {
			w.wake()
			w.t.Reset(d.cfg.PollInterval)
		}
	})
	w.mu.Unlock()
	return w.c, func() {
		d.waiters.remove(updateID, w)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.stopped = true
		w.t.Stop()
	}
}

// closedChanges is what Changes returns on a Dispatcher not made by New:
// a caller waiting on it reads at once, and the read fails saying why.
var closedChanges = func() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// waiter is one caller of Changes.
type waiter struct {
	c       chan struct{}
	mu      sync.Mutex // guards t and stopped
	t       *time.Timer
	stopped bool
}

func (w *waiter) wake() {
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// waiters are the callers of Changes, by update ID.
type waiters struct {
	mu   sync.Mutex
	byID map[string]map[*waiter]struct{}
}

func (ws *waiters) add(id string, w *waiter) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.byID == nil {
		ws.byID = map[string]map[*waiter]struct{}{}
	}
	if ws.byID[id] == nil {
		ws.byID[id] = map[*waiter]struct{}{}
	}
	ws.byID[id][w] = struct{}{}
}

func (ws *waiters) remove(id string, w *waiter) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.byID[id], w)
	if len(ws.byID[id]) == 0 {
		delete(ws.byID, id)
	}
}

// wake wakes the waiters of update id.
func (ws *waiters) wake(id string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.byID[id] {
		w.wake()
	}
}

// wakeAll wakes every waiter.
func (ws *waiters) wakeAll() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, set := range ws.byID {
		for w := range set {
			w.wake()
		}
	}
}

// startWake starts, with the workers, the two goroutines of the wake-ups:
// one says on finishedChannel which updates' jobs this instance finished,
// the other listens on it and wakes the waiters. Both end once River has
// stopped, however it was stopped, after the notification of the last
// jobs it ran; or when stopWake is called. Without LISTEN (PollOnly)
// there are none: the waiters read at Config.PollInterval.
func (d *Dispatcher) startWake(ctx context.Context) {
	d.stopWake()
	if d.cfg.PollOnly {
		return
	}
	// Not Start's ctx: cancelling it soft-stops River, and the jobs still
	// running finish, and are to be said, after it ends.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	events, unsubscribe := d.subscribe()
	stopped := d.river.Stopped()
	d.wakeStop = func() {
		unsubscribe() // closes events, if River has not
		cancel()
	}
	d.wakeDone.Add(2)
	go func() {
		defer d.wakeDone.Done()
		defer cancel() // River stopped: the listener too
		defer unsubscribe()
		d.notifyFinished(ctx, events, stopped)
	}()
	go func() {
		defer d.wakeDone.Done()
		d.listen(ctx)
	}()
}

// subscribe subscribes to River's own completion events, sent once it
// has recorded the job's new state: a waiter woken by them reads that
// state. They are this instance's alone; the notification carries them to
// the others. River closes the subscription once it has stopped, after
// the events of the last jobs; an event that finds it full is dropped.
func (d *Dispatcher) subscribe() (<-chan *river.Event, func()) {
	return d.client.SubscribeConfig(&river.SubscribeConfig{ChanSize: eventBuffer,
		Kinds: []river.EventKind{river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed}})
}

// eventBuffer is the room for River's events not read yet: two of the
// largest batches its completer records at once (5,000 jobs).
const eventBuffer = 10_000

// stopWake ends the goroutines of startWake and waits for them.
func (d *Dispatcher) stopWake() {
	if d.wakeStop != nil {
		d.wakeStop()
		d.wakeStop = nil
	}
	d.wakeDone.Wait()
}

// notifyFinished says on finishedChannel the update of each job River
// reports finished, until events is closed (River stopped, or stopWake)
// or River has stopped (stopped closed) without closing it: a start cut
// short.
func (d *Dispatcher) notifyFinished(ctx context.Context, events <-chan *river.Event, stopped <-chan struct{}) {
	for {
		var ev *river.Event
		ok := true
		select {
		case ev, ok = <-events:
		case <-stopped:
			// Nothing comes any more: what events holds is left.
			select {
			case ev, ok = <-events:
			default:
				return
			}
		}
		if !ok {
			return
		}
		ids := map[string]bool{}
		ok = addUpdate(ids, ev, events)
		d.notify(ctx, ids)
		if !ok {
			return
		}
	}
}

// addUpdate adds to ids the update of ev, and of the events already
// waiting (up to maxNotifyBatch updates), so that one statement says
// them all; it reports false once events is closed.
func addUpdate(ids map[string]bool, ev *river.Event, events <-chan *river.Event) bool {
	for {
		if id := eventUpdate(ev); id != "" {
			ids[id] = true
		}
		if len(ids) >= maxNotifyBatch {
			return true
		}
		var ok bool
		select {
		case ev, ok = <-events:
			if !ok {
				return false
			}
		default:
			return true
		}
	}
}

// eventUpdate is the update ID of the job of a River event; "" if none.
func eventUpdate(ev *river.Event) string {
	var md metadata
	if ev == nil || ev.Job == nil || json.Unmarshal(ev.Job.Metadata, &md) != nil {
		return ""
	}
	if md.Update != "" {
		return md.Update
	}
	return md.Retract
}

// notify sends one notification per update of ids. It is tried again, as
// this package's other statements are (Config.ReconnectWait through one
// outage), within notifyTimeout: on another connection when its
// connection broke, and on a new one when it reached a read-only server
// (a standby, which refuses NOTIFY: a failover under way), whose
// connection is closed. Lost, the waiters read at Config.PollInterval
// instead; one lost on a read-only server is logged as a warning that says
// so and what to do, as Enqueue's error does. It outlives ctx by
// notifyTimeout at most, so that Stop still says what the jobs it waited
// for did.
func (d *Dispatcher) notify(ctx context.Context, ids map[string]bool) {
	if len(ids) == 0 {
		return
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	err := d.outage.Do(ctx, func() error {
		return pgretry.OnConn(ctx, d.cfg.Pool, func(c *pgxpool.Conn) error {
			_, err := c.Exec(ctx, "SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id", finishedChannel, list)
			return err
		})
	})
	level := slog.LevelDebug
	if err != nil && pgretry.ReadOnly(err) {
		level, err = slog.LevelWarn, readOnly(err)
	}
	if err != nil {
		d.cfg.Logger.LogAttrs(ctx, level, "dispatch: could not notify the other instances of finished jobs; they read at PollInterval",
			slog.Int("updates", len(list)), slog.String("error", err.Error()))
	}
}

// listen holds one connection, outside the pool, that LISTENs on
// finishedChannel and wakes the waiters of each update notified; when
// the connection is lost it connects again, after a wait growing up to
// listenRetryMax, until ctx ends.
func (d *Dispatcher) listen(ctx context.Context) {
	wait := listenRetryFirst
	for {
		connected, err := d.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = listenRetryFirst
		}
		d.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "dispatch: the connection listening for finished jobs is lost; waiters read at PollInterval until it is back",
			slog.Duration("retry", wait), slog.String("error", err.Error()))
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, listenRetryMax)
	}
}

// listenOnce connects, LISTENs and wakes waiters until the connection is
// lost or ctx ends; connected reports that it got to LISTEN.
// A panic in the caller's code it runs (the pool's hooks, and those of
// its ConnConfig: a DialFunc, an OnNotice, a Tracer…), in a goroutine of
// ours, would end the process: it is logged, at Error, and is the
// connection's error; the listener connects again later.
func (d *Dispatcher) listenOnce(ctx context.Context) (connected bool, err error) {
	defer slogguard.RecoverTo(&err, d.cfg.Logger, "dispatch: the listener's connection (a hook of Config.Pool's ConnConfig)")
	pc := d.cfg.Pool.Config() // a copy
	// The pool's hooks, as for its own connections: they may set the
	// credentials, or the session.
	if pc.BeforeConnect != nil {
		if err := d.poolHook("BeforeConnect", func() error { return pc.BeforeConnect(ctx, pc.ConnConfig) }); err != nil {
			return false, err
		}
	}
	conn, err := pgx.ConnectConfig(ctx, pc.ConnConfig)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if pc.AfterConnect != nil {
		if err := d.poolHook("AfterConnect", func() error { return pc.AfterConnect(ctx, conn) }); err != nil {
			return false, err
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN "+finishedChannel); err != nil {
		return false, err
	}
	// Jobs may have finished while nobody listened: every waiter reads.
	d.waiters.wakeAll()
	check := cmp.Or(d.listenCheck, listenCheckEvery)
	for {
		// In slices: a server gone without a word (a machine lost, a
		// network cut) would leave the wait blind for minutes, until TCP
		// gives up. A wait that times out leaves the connection usable.
		wctx, cancel := context.WithTimeout(ctx, check)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			d.waiters.wake(n.Payload)
			continue
		case ctx.Err() != nil || wctx.Err() == nil:
			return true, err
		}
		pctx, cancel := context.WithTimeout(ctx, check)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true, fmt.Errorf("check the connection: %w", err)
		}
	}
}

// poolHook runs hook, Config.Pool's hook of that name, for the
// listener's connection; its panic is logged and is its error.
func (d *Dispatcher) poolHook(name string, hook func() error) (err error) {
	defer slogguard.RecoverTo(&err, d.cfg.Logger, "dispatch: Config.Pool's "+name)
	return hook()
}
