package irc

import (
	"context"
	"errors"

	"github.com/outagecast/outagecast/broadcast"
)

// outcome is what one Send achieved on a registered connection.
type outcome struct {
	delivered []string     // the channels that got every line
	failed    []*chanState // the channels refused, each with its error
}

// err joins the channels' errors; it is permanent when every one is.
func (o outcome) err() error {
	if len(o.failed) == 0 {
		return nil
	}
	errs := make([]error, len(o.failed))
	permanent := true
	for i, st := range o.failed {
		errs[i] = st.err
		permanent = permanent && st.permanent
	}
	return permanentIf(errors.Join(errs...), permanent)
}

// deliver joins the targets and posts the lines to each joined one,
// recording each channel's result in the ledger (which may be nil) as soon
// as it is known. An error means the connection failed; the channels done
// before it stay recorded.
func (ss *session) deliver(targets []target, lines []string, ledger broadcast.Ledger) (outcome, error) {
	var out outcome
	if err := ss.join(targets); err != nil {
		return out, err
	}
	for _, t := range targets {
		st := ss.chans[fold(t.name)]
		if st.err == nil {
			if err := ss.post(st, lines); err != nil {
				return out, err
			}
		}
		if st.err != nil {
			out.failed = append(out.failed, st)
			if st.permanent && ledger != nil {
				_ = ledger.MarkFailed(t.name, st.err) // a lost mark costs a resend, no more
			}
			continue
		}
		out.delivered = append(out.delivered, t.name)
		if ledger != nil {
			_ = ledger.MarkDelivered(t.name)
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
