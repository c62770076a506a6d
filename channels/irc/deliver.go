package irc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// outcome is what one Send achieved on a registered connection.
type outcome struct {
	delivered  []string     // the channels that got every line
	failed     []*chanState // the channels refused, each with its error
	reached    int          // the channels that got the lines in an earlier attempt, per the ledger
	refused    []error      // the channels refused for good in an earlier attempt, per the ledger
	unrecorded bool         // a permanent failure could not be recorded in the ledger
}

// err joins the channels' errors, or returns nil when the channels that got
// the lines (now or earlier) are joined only by permanent failures recorded
// in the ledger: the Broadcaster reports those as the Result's Failures, and
// a retry could not change them. The error is permanent when every failure
// is; when no channel ever got the lines, it names those refused earlier
// too.
func (o outcome) err() error {
	reached := len(o.delivered)+o.reached > 0
	if len(o.failed) == 0 && (reached || len(o.refused) == 0) {
		return nil
	}
	errs := make([]error, len(o.failed))
	permanent := true
	for i, st := range o.failed {
		errs[i] = st.err
		permanent = permanent && st.permanent
	}
	switch {
	case !permanent:
		return errors.Join(errs...)
	case reached && !o.unrecorded:
		return nil
	case !reached:
		errs = append(errs, o.refused...)
	}
	return broadcast.Permanent(errors.Join(errs...))
}

// earlier returns how many targets got the lines in an earlier attempt and
// the errors of those refused for good then. With a
// broadcast.FailureLedger, the targets it reports failed count as refused,
// with the reason then recorded; any other Ledger only says a target is
// done, and every done target counts as reached.
func earlier(targets []target, l broadcast.Ledger) (reached int, refused []error) {
	if l == nil {
		return 0, nil
	}
	fl, tells := l.(broadcast.FailureLedger)
	for _, t := range targets {
		if !l.Done(t.name) {
			continue
		}
		reason, failed := "", false
		if tells {
			reason, failed = fl.Failure(t.name)
		}
		if !failed {
			reached++
			continue
		}
		refused = append(refused, fmt.Errorf("%w: %s", errRefusedEarlier, strings.TrimPrefix(reason, "irc: ")))
	}
	return reached, refused
}

// errRefusedEarlier wraps the reason of a channel refused for good in an
// earlier attempt.
var errRefusedEarlier = errors.New("irc: refused in an earlier attempt")

// deliver joins the targets and posts the lines to each joined one,
// recording each channel's result in the ledger (which may be nil) as soon
// as it is known: a channel refused for good right after the joins, one
// that got the lines after its PONG. An error means the connection failed;
// the channels done before it stay recorded.
func (ss *session) deliver(targets []target, lines []string, ledger broadcast.Ledger) (outcome, error) {
	out := outcome{unrecorded: ledger == nil}
	if err := ss.join(targets); err != nil {
		return out, err
	}
	marked := make(map[*chanState]bool)
	fail := func(st *chanState) {
		out.failed = append(out.failed, st)
		if st.permanent && ledger != nil && ledger.MarkFailed(st.t.name, st.err) != nil {
			out.unrecorded = true // the retry resends to it, no more
		}
		marked[st] = true
	}
	for _, t := range targets {
		if st := ss.chans[fold(t.name)]; st.err != nil {
			fail(st)
		}
	}
	for _, t := range targets {
		st := ss.chans[fold(t.name)]
		if marked[st] {
			continue
		}
		if err := ss.post(st, lines); err != nil {
			return out, err
		}
		if st.err != nil {
			fail(st)
			continue
		}
		out.delivered = append(out.delivered, t.name)
		if ledger != nil {
			_ = ledger.MarkDelivered(t.name) // a lost mark costs a resend, no more
		}
	}
	return out, nil
}

// runOnce connects, registers, runs job and quits.
func runOnce(ctx context.Context, s *settings, job func(*session) error) error {
	cn, err := dial(ctx, s)
	if err != nil {
		return err
	}
	defer cn.quit(ctx)
	return use(ctx, cn, s, true, job)
}

// use runs job in a session on cn bound to ctx, registering first if asked.
func use(ctx context.Context, cn *conn, s *settings, register bool, job func(*session) error) error {
	stop := cn.watch(ctx)
	defer stop()
	ss := newSession(ctx, cn, s)
	defer ss.end()
	if register {
		if err := ss.register(); err != nil {
			return err
		}
	}
	return job(ss)
}

// kept is the connection of a persistent Channel. Only the holder of the
// Channel's turn uses it.
type kept struct {
	cn     *conn // nil: none yet, or dropped
	closed bool
}

// run runs job on the kept connection, connecting first when there is none
// or it dropped. A connection that failed under job is dropped.
func (k *kept) run(ctx context.Context, s *settings, job func(*session) error) error {
	if k.closed {
		return broadcast.Permanent(ErrClosed)
	}
	if k.cn != nil && !k.cn.usable() {
		k.cn.close()
		k.cn = nil
	}
	if k.cn != nil {
		// A connection can die quietly while idle: make sure, before
		// posting, that the server still answers.
		if err := use(ctx, k.cn, s, false, (*session).probe); err != nil {
			if ctx.Err() != nil {
				return err
			}
			k.cn.close()
			k.cn = nil
		}
	}
	fresh := k.cn == nil
	if fresh {
		cn, err := dial(ctx, s)
		if err != nil {
			return err
		}
		k.cn = cn
	}
	err := use(ctx, k.cn, s, fresh, job)
	if err != nil || !k.cn.usable() {
		k.cn.quit(ctx)
		k.cn = nil
	}
	return err
}

func (k *kept) close() {
	k.closed = true
	if k.cn != nil {
		k.cn.quit(context.Background())
		k.cn = nil
	}
}

// failedNames returns the names of the channels refused.
func (o outcome) failedNames() []string {
	names := make([]string, len(o.failed))
	for i, st := range o.failed {
		names[i] = st.t.name
	}
	return names
}
