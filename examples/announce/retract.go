package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// Outcomes of a retraction, per channel.
const (
	retractDeleted     = "deleted"
	retractNotPosted   = "nothing to delete: not posted there, or deleted already"
	retractUnsupported = "cannot be deleted on this platform"
	retractFailed      = "failed"
)

// retract deletes the posts of update -retract where the platform allows
// (-retract) and says, per channel, what became of them.
func (a *app) retract(ctx context.Context, cfg *config.File) int {
	opts := cfg.Options()
	prog := a.progress(cfg)
	if prog != nil {
		prog.retracting = true
		opts.OnEvent = prog.event
	}
	b, code := a.openOrFail(cfg, opts)
	if b == nil {
		return code
	}
	ctx, cancel := a.withTimeout(ctx)
	defer cancel()
	if prog != nil {
		prog.begin()
	}
	rep, err := b.Retract(ctx, a.opts.retract)
	if cerr := b.Close(); cerr != nil {
		a.note("%s", a.hide(cerr.Error()))
	}
	switch {
	case rep == nil && errors.Is(err, broadcast.ErrInvalidUpdate):
		return a.fail(exitUsage, validationError(err)) // no channel posted it: a mistyped ID
	case rep == nil:
		return a.fail(exitFailed, err)
	}
	stopped := ctx.Err()
	if a.opts.json {
		code = a.retractJSON(rep, stopped)
	} else {
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(a.stdout, "retraction of update %s\n", rep.UpdateID)
		fmt.Fprintln(tw, "CHANNEL\tOUTCOME\tDETAIL")
		for _, r := range rep.Results {
			outcome, detail := a.retracted(r, stopped)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Channel, outcome, detail)
		}
		tw.Flush()
		code = a.retractExit(rep)
	}
	switch {
	case code == exitOK:
	case errors.Is(stopped, context.DeadlineExceeded):
		a.note("gave up after -timeout %s", a.opts.timeout)
	case stopped != nil:
		a.note("interrupted")
		return exitInterrupted
	}
	return code
}

// retractExit returns the exit status of a retraction: 0 when every channel
// deleted its post, had none, or cannot delete posts at all (a platform's
// lasting limit, which a script could do nothing about, named on standard
// error); 1 when a deletion failed.
func (a *app) retractExit(rep *broadcast.Report) int {
	var kept []string
	for _, r := range rep.Results {
		switch {
		case errors.Is(r.Err, broadcast.ErrNotSupported):
			kept = append(kept, r.Channel)
		case r.Err != nil:
			return exitFailed
		}
	}
	if len(kept) > 0 {
		a.note("still out there on %s: the platform cannot delete posts", strings.Join(kept, ", "))
	}
	return exitOK
}

// retracted names what Retract did on r's channel, with the error's text
// for a failure; stopped is the run's context error: a deletion that the
// end of the run stopped says it was interrupted or timed out, as a send's
// does.
func (a *app) retracted(r broadcast.Result, stopped error) (outcome, detail string) {
	switch {
	case errors.Is(r.Err, broadcast.ErrNotSupported):
		return retractUnsupported, ""
	case r.Err != nil:
		outcome := stoppedOutcome(r.Err, stopped)
		if outcome == outcomeFailed {
			outcome = retractFailed
		}
		return outcome, oneLine(a.say(r.Channel, r.Err.Error()))
	case r.Skipped:
		return retractNotPosted, ""
	}
	return retractDeleted, ""
}

type jsonRetraction struct {
	UpdateID string              `json:"update_id"`
	OK       bool                `json:"ok"`
	Results  []jsonRetractResult `json:"results"`
}

type jsonRetractResult struct {
	Channel string `json:"channel"`
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

func (a *app) retractJSON(rep *broadcast.Report, stopped error) int {
	code := a.retractExit(rep)
	out := jsonRetraction{UpdateID: rep.UpdateID, OK: code == exitOK}
	for _, r := range rep.Results {
		outcome, detail := a.retracted(r, stopped)
		out.Results = append(out.Results, jsonRetractResult{Channel: r.Channel, Outcome: outcome, Error: detail})
	}
	if err := writeJSON(a.stdout, out); err != nil {
		return a.fail(exitFailed, err)
	}
	return code
}
