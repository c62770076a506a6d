package main

import (
	"context"
	"errors"
	"fmt"
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
		return a.fail(exitUsage, badFlag("retract", "%s", err)) // no channel posted it: a mistyped ID
	case rep == nil:
		return a.fail(exitFailed, err)
	}
	if a.opts.json {
		return a.retractJSON(rep)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(a.stdout, "retraction of update %s\n", rep.UpdateID)
	fmt.Fprintln(tw, "CHANNEL\tOUTCOME\tDETAIL")
	for _, r := range rep.Results {
		outcome, detail := a.retracted(r)
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Channel, outcome, detail)
	}
	tw.Flush()
	if err != nil {
		return exitFailed // a post is still out there
	}
	return exitOK
}

// retracted names what Retract did on r's channel, with the error's text
// for a failure.
func (a *app) retracted(r broadcast.Result) (outcome, detail string) {
	switch {
	case errors.Is(r.Err, broadcast.ErrNotSupported):
		return retractUnsupported, ""
	case r.Err != nil:
		return retractFailed, oneLine(a.say(r.Channel, r.Err.Error()))
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

func (a *app) retractJSON(rep *broadcast.Report) int {
	out := jsonRetraction{UpdateID: rep.UpdateID, OK: true}
	for _, r := range rep.Results {
		outcome, detail := a.retracted(r)
		out.Results = append(out.Results, jsonRetractResult{Channel: r.Channel, Outcome: outcome, Error: detail})
		out.OK = out.OK && r.Err == nil
	}
	if err := writeJSON(a.stdout, out); err != nil {
		return a.fail(exitFailed, err)
	}
	if !out.OK {
		return exitFailed
	}
	return exitOK
}
