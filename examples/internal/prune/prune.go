// Package prune keeps the Store of an example program that runs for
// months from growing for as long as it runs: it removes, at start-up and
// every hour, what the Store recorded longer ago than the program's
// retention (its -keep flag), with the Store's own Prune.
package prune

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultKeep is the retention the programs default to: 90 days, far
// longer than anyone re-sends, corrects or retracts an update, or than a
// sender retries one.
const DefaultKeep = 90 * 24 * time.Hour

// Keep is the value of a -keep flag, a retention: a time.Duration that
// prints whole days as days ("90d", as the programs' docs give the
// default, where time.Duration prints "2160h0m0s"), 0 as "0", and any
// other as time.Duration does. Set takes what String prints: a whole
// number of days ("90d") or a duration time.ParseDuration takes ("36h").
// Use it as fs.Var((*prune.Keep)(&keep), "keep", usage).
type Keep time.Duration

const day = 24 * time.Hour

// String returns k in days when whole, else as time.Duration prints it.
func (k *Keep) String() string {
	if k == nil {
		return "0"
	}
	switch d := time.Duration(*k); {
	case d == 0:
		return "0"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	default:
		return d.String()
	}
}

// Set sets k from s: a whole number of days ("90d"), or a duration as
// time.ParseDuration takes it. A negative one is set, for the program to
// refuse by name; days past what a time.Duration holds are refused as
// such.
func (k *Keep) Set(s string) error {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		const most = int64(time.Duration(1<<63-1) / day)
		n, err := strconv.ParseInt(days, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) || err == nil && (n > most || n < -most):
			return fmt.Errorf("more days than a duration holds (at most %dd)", most)
		case err != nil:
			return errKeepSyntax
		}
		*k = Keep(time.Duration(n) * day)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errKeepSyntax
	}
	*k = Keep(d)
	return nil
}

var errKeepSyntax = errors.New("want whole days (90d) or a duration (36h, 1h30m)")

// CheckKeep refuses a retention (-keep) no longer than an update is
// retried (retried: retry.max_elapsed, or the sender's default): pruning
// would remove the marks of an update still being delivered, and its next
// attempt would post it again to the recipients it had reached. A keep of
// 0 (keep everything) is accepted.
func CheckKeep(keep, retried time.Duration) error {
	if keep > 0 && keep <= retried {
		return fmt.Errorf("-keep: %v, not longer than an update is retried (retry.max_elapsed: %v): "+
			"pruning would remove the marks of an update still being delivered, which would then be posted again", keep, retried)
	}
	return nil
}

// Interval is how often Start prunes.
const Interval = time.Hour

// Func removes what a Store recorded before cutoff and reports how many
// entries it removed: the Prune method of broadcast.MemoryStore,
// broadcast/boltstore and broadcast/pgstore.
type Func func(ctx context.Context, cutoff time.Time) (int64, error)

// Start calls Once with the cutoff keep before now, at once and then every
// Interval, until ctx is done or stop is called. stop waits for a call
// under way to end: call it before closing the Store.
func Start(ctx context.Context, keep time.Duration, prune Func, log *slog.Logger, hide func(string) string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(Interval)
		defer tick.Stop()
		for {
			Once(ctx, time.Now().Add(-keep), prune, log, hide)
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Once removes what the Store recorded before cutoff, and logs how many
// entries, or the error as hide puts it (a Store's error may hold a
// connection string): the Store then keeps them until the next call. An
// end of ctx is not logged.
func Once(ctx context.Context, cutoff time.Time, prune Func, log *slog.Logger, hide func(string) string) {
	n, err := prune(ctx, cutoff)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		log.Error("prune the store: it keeps what it recorded until the next pruning",
			slog.Time("before", cutoff), slog.String("error", hide(err.Error())))
	case n > 0:
		log.Info("pruned the store", slog.Int64("entries", n), slog.Time("before", cutoff))
	}
}
