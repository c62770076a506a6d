package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// send delivers u through every channel of cfg (with -correct, as the
// correction of that update) and prints the outcome.
func (a *app) send(ctx context.Context, cfg *config.File, u broadcast.Update) int {
	opts := cfg.Options()
	prog := a.progress(cfg)
	if prog != nil {
		opts.OnEvent = prog.event
	}
	b, code := a.openOrFail(cfg, opts)
	if b == nil {
		return code
	}
	ctx, cancel := a.withTimeout(ctx)
	defer cancel()
	a.linkToPage(ctx, b.Broadcaster, cfg, &u)
	gone := retractedOn(ctx, b, u.ID)
	if prog != nil {
		prog.retracted = gone
		prog.begin()
	}
	var rep *broadcast.Report
	var sendErr error
	if a.opts.correct != "" {
		rep, sendErr = b.Correct(ctx, a.opts.correct, u)
	} else {
		rep, sendErr = b.Send(ctx, u)
	}
	if err := b.Close(); err != nil {
		a.note("%s", a.hide(err.Error()))
	}
	if rep == nil {
		// The checks of -correct's original read the store before any
		// delivery: Ctrl-C or -timeout cuts them short as it does a
		// delivery, and the run exits as such a run does (130, or 1), not
		// with the store's "context canceled". No table follows: the
		// message is printed even with -quiet.
		switch stopped := ctx.Err(); {
		case errors.Is(sendErr, broadcast.ErrInvalidUpdate):
			return a.fail(exitUsage, validationError(sendErr))
		case errors.Is(stopped, context.DeadlineExceeded):
			fmt.Fprintf(a.stderr, "announce: gave up after -timeout %s\n", a.opts.timeout)
			return exitFailed
		case stopped != nil:
			fmt.Fprintln(a.stderr, "announce: interrupted")
			return exitInterrupted
		}
		return a.fail(exitFailed, validationError(sendErr))
	}
	a.sent = slices.ContainsFunc(rep.Results, func(r broadcast.Result) bool {
		return r.Err == nil && !r.Skipped && !r.Superseded && !r.NotSelected
	})
	if cfg.WritesTo(a.stdout) && !a.opts.json {
		fmt.Fprintln(a.stdout) // a blank line between the console's output and the table
	}
	return a.report(ctx, rep, sendErr, summary{durable: cfg.Store.Kind == config.StoreBolt, retracted: gone})
}

// retractedOn returns the channels of b on which update id was retracted,
// so that a Send of it again says so: they skip it (its post was deleted)
// or fail (they had not posted it). A Store that cannot tell gives none:
// the Send then says what is wrong with it.
func retractedOn(ctx context.Context, b interface {
	RetractedOn(context.Context, string) ([]string, error)
}, id string) map[string]bool {
	names, _ := b.RetractedOn(ctx, id)
	if len(names) == 0 {
		return nil
	}
	gone := make(map[string]bool, len(names))
	for _, name := range names {
		gone[name] = true
	}
	return gone
}

// openOrFail opens the Broadcaster of cfg, or prints why not and returns
// the exit code: 1 when the store would not open, 2 for bad settings.
func (a *app) openOrFail(cfg *config.File, opts broadcast.Options) (*config.Broadcaster, int) {
	b, err := a.open(cfg, opts)
	if err != nil {
		code := exitUsage
		if errors.As(err, new(*storeError)) {
			code = exitFailed
		}
		return nil, a.fail(code, err)
	}
	return b, exitOK
}

// withTimeout bounds ctx by -timeout, if set, counted from the start of
// the run: reading "-body -" from standard input is part of it.
func (a *app) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := a.deadline(); !d.IsZero() {
		return context.WithDeadline(ctx, d)
	}
	return context.WithCancel(ctx)
}

// deadline is when -timeout ends the run, counted from its start; zero
// without -timeout.
func (a *app) deadline() time.Time {
	if a.opts.timeout > 0 {
		return cmp.Or(a.started, time.Now()).Add(a.opts.timeout)
	}
	return time.Time{}
}

// report prints the summary s of rep (its durable and retracted set) and
// returns the exit code.
func (a *app) report(ctx context.Context, rep *broadcast.Report, sendErr error, s summary) int {
	s.rep, s.stopped, s.show = rep, ctx.Err(), a.say
	var err error
	if a.opts.json {
		err = s.printJSON(a.stdout)
	} else {
		err = s.printTable(a.stdout)
	}
	if err != nil {
		return a.fail(exitFailed, fmt.Errorf("write summary: %w", err))
	}
	s.printFailures(a.stderr)
	retracted := s.stopped == nil && a.noteRetracted(s)
	switch {
	case sendErr == nil:
		if allSkipped(rep) && a.opts.correct == "" && !retracted {
			a.noteDeliveredBefore(rep.UpdateID)
		}
		return exitOK
	case errors.Is(s.stopped, context.DeadlineExceeded):
		a.note("gave up after -timeout %s", a.opts.timeout)
	case s.stopped != nil:
		a.note("interrupted")
		return exitInterrupted
	case errors.Is(sendErr, broadcast.ErrInvalidUpdate):
		// A channel refused the update for a flag's value (an -id that
		// is a correction's), as its line says: a bad flag.
		return exitUsage
	}
	return exitFailed
}

// noteDeliveredBefore says why an update every channel skipped went
// nowhere. An ID derived from the flags changes with them; one given with
// -id does not, and the store keeps no text to compare.
func (a *app) noteDeliveredBefore(id string) {
	if a.opts.id != "" {
		a.note("update %s (-id) was delivered before with this state file; nothing was sent, whatever its text now. "+
			"To announce new text, give it a new -id.", id)
		return
	}
	a.note("update %s was delivered before (same flags as typed, same state file); nothing was sent. "+
		"To announce it again, change its text or give it a new -id.", id)
}

// noteRetracted says, when the update was retracted on some of the
// channels, that it is not posted there again and how to announce it, and
// reports whether it did.
func (a *app) noteRetracted(s summary) bool {
	var names []string
	for _, r := range s.rep.Results {
		if s.retracted[r.Channel] && s.outcome(r) == outcomeRetracted { // not a correction's original
			names = append(names, r.Channel)
		}
	}
	if len(names) == 0 {
		return false
	}
	where, what := "", "nothing was sent"
	if len(names) < len(s.rep.Results) {
		where = " on " + strings.Join(names, ", ")
	}
	if a.sent {
		what = "it is not posted there again"
	}
	a.note("update %s was retracted%s; %s. To announce it again, give it a new -id.", s.rep.UpdateID, where, what)
	return true
}

// progress returns the live display, or nil with -quiet. Lines are redrawn
// in place only on a terminal that no console channel writes to (its
// output would move the lines being redrawn), and whose screen holds every
// channel's line and the cursor's below them (moving up to a line that
// scrolled off stops at the top row, and would redraw another).
func (a *app) progress(cfg *config.File) *progress {
	if a.opts.quiet {
		return nil
	}
	live := a.ttyErr && !cfg.WritesTo(a.stderr) && !(a.ttyOut && cfg.WritesTo(a.stdout)) &&
		(a.height == 0 || len(cfg.Channels) < a.height)
	p := newProgress(a.stderr, live, channelNames(cfg.Channels), a.say)
	p.deadline = a.deadline()
	if a.width > 0 {
		p.width = a.width
	}
	return p
}

// allSkipped reports whether every channel had the update already.
func allSkipped(rep *broadcast.Report) bool {
	for _, r := range rep.Results {
		if !r.Skipped {
			return false
		}
	}
	return len(rep.Results) > 0
}
