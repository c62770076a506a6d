package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspageio"
)

// Outcomes of a channel in the summary.
const (
	outcomeDelivered   = "delivered"
	outcomeEdited      = "edited" // -correct edited the original's post in place
	outcomeSkipped     = "skipped"
	outcomeSuperseded  = "superseded"   // a newer update of the incident is out there
	outcomeNotSelected = "not selected" // the channel's "when:" leaves the update out
	outcomeFailed      = "failed"
	outcomeInterrupted = "interrupted" // Ctrl-C
	outcomeTimedOut    = "timed out"   // -timeout
	outcomeRetracted   = "retracted"   // -retract deleted the post, or came before the channel posted it
	// -correct found the original retracted on the channel: nothing to correct.
	outcomeOriginalRetracted = "original retracted"
)

// summary is the outcome of a send, for printing.
type summary struct {
	rep     *broadcast.Report
	stopped error                             // the run's context error, if it ended
	show    func(channel, text string) string // an error's text as the user sees it
	durable bool                              // a store remembers the deliveries for a re-run
	// retracted are the channels on which the update was retracted
	// (broadcast.Broadcaster.RetractedOn), by name.
	retracted map[string]bool
}

// outcome names r's outcome. A channel that the end of the run stopped
// (interrupted, or timed out) says so, rather than "failed"; one that had
// failed for good before says "failed", as its progress line does.
func (s summary) outcome(r broadcast.Result) string {
	switch {
	case s.retracted[r.Channel] && (r.Skipped || r.Err != nil):
		return outcomeRetracted
	case errors.Is(r.Err, broadcast.ErrRetracted): // a -correct refused where its original was retracted
		return outcomeOriginalRetracted
	case r.Skipped:
		return outcomeSkipped
	case r.Superseded:
		return outcomeSuperseded
	case r.NotSelected:
		return outcomeNotSelected
	case r.Err == nil && r.Edited:
		return outcomeEdited
	case r.Err == nil:
		return outcomeDelivered
	}
	return stoppedOutcome(r.Err, s.stopped)
}

// stoppedOutcome names the outcome of a channel that ended with err:
// timed out or interrupted when stopped, the run's context error, ended
// it (err wraps stopped), failed otherwise.
func stoppedOutcome(err, stopped error) string {
	switch {
	case stopped == nil || !errors.Is(err, stopped):
		return outcomeFailed
	case errors.Is(stopped, context.DeadlineExceeded):
		return outcomeTimedOut
	}
	return outcomeInterrupted
}

// printTable writes the update's ID and the summary table: one row per
// channel. A skipped channel's link is its earlier post's.
func (s summary) printTable(w io.Writer) error {
	fmt.Fprintf(w, "update %s of incident %s\n", shellWord(s.rep.UpdateID), shellWord(s.rep.IncidentID))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tOUTCOME\tATTEMPTS\tTIME\tLINK")
	for _, r := range s.rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.Channel, s.outcome(r), r.Attempts,
			formatDuration(r.Duration), s.link(r))
	}
	return tw.Flush()
}

// link returns the link to r's post, none for a post that was deleted.
func (s summary) link(r broadcast.Result) string {
	if o := s.outcome(r); o == outcomeRetracted || o == outcomeOriginalRetracted {
		return ""
	}
	return r.Receipt.URL
}

// printFailures writes one line per channel that did not deliver, with the
// reason (which names the targets that failed), to w (standard error); for
// a channel with targets still pending, how many it reached and what
// running the command again does: without a durable store nothing
// remembers the targets delivered, so it sends to them again; for one
// that reached none, that a re-run tries the pending ones. Without a
// durable store, a last line names the channels that delivered, which
// the same command again posts to again.
func (s summary) printFailures(w io.Writer) {
	defer s.printRerunPostsAgain(w)
	for _, r := range s.rep.Results {
		switch {
		case r.Err == nil:
			if note := noteOf(r); note != "" {
				fmt.Fprintf(w, "announce: %s: %s\n", r.Channel, oneLine(s.show(r.Channel, note)))
			}
			s.printSupersededTargets(w, r)
			continue
		case s.retracted[r.Channel]:
			fmt.Fprintf(w, "announce: %s: not posted: update %s was retracted before this channel posted it\n",
				r.Channel, s.rep.UpdateID)
			continue
		case s.outcome(r) == outcomeOriginalRetracted: // a correction of a retracted update
			fmt.Fprintf(w, "announce: %s: not posted: %s\n", r.Channel, oneLine(s.show(r.Channel, r.Err.Error())))
			continue
		}
		fmt.Fprintf(w, "announce: %s: %s after %d %s: %s\n", r.Channel, s.outcome(r), r.Attempts,
			plural(r.Attempts, "attempt"), oneLine(s.show(r.Channel, errText(r.Err))))
		s.printSupersededTargets(w, r)
		if len(r.Pending) == 0 {
			s.printRefused(w, r)
			continue
		}
		if len(r.Delivered) == 0 {
			// Nothing reached: a re-run sends to no target twice, with
			// -state or without.
			fmt.Fprintf(w, "announce: %s: no target delivered, %d pending: the same command again tries %s\n",
				r.Channel, len(r.Pending), map[bool]string{true: "it", false: "them"}[len(r.Pending) == 1])
			continue
		}
		fmt.Fprintf(w, "announce: %s: %d %s delivered now, %d pending: %s\n",
			r.Channel, len(r.Delivered), plural(len(r.Delivered), "target"), len(r.Pending),
			s.rerun("the same command again reaches only those"))
	}
}

// printRerunPostsAgain writes, when a channel failed and nothing durable
// records what was delivered, which channels delivered: the same command
// again, which each failed channel's line says tries it, posts to them
// again.
func (s summary) printRerunPostsAgain(w io.Writer) {
	if s.durable {
		return
	}
	failed, delivered := false, []string(nil)
	for _, r := range s.rep.Results {
		switch s.outcome(r) {
		case outcomeDelivered:
			delivered = append(delivered, r.Channel)
		case outcomeFailed, outcomeTimedOut, outcomeInterrupted:
			failed = true
		}
	}
	if !failed || len(delivered) == 0 {
		return
	}
	fmt.Fprintf(w, "announce: without -state nothing records what was delivered: the same command again also posts again to %s "+
		"(give -state FILE, the same on every run, to reach only the channels that missed it)\n", strings.Join(delivered, ", "))
}

// printRefused writes, for a channel that reached some targets while
// others refused the update for good (a wrong secret), what running the
// command again does once that is put right.
func (s summary) printRefused(w io.Writer, r broadcast.Result) {
	if len(r.Failures) == 0 || len(r.Delivered) == 0 {
		return
	}
	fmt.Fprintf(w, "announce: %s: %d %s delivered now, %d refused: %s\n",
		r.Channel, len(r.Delivered), plural(len(r.Delivered), "target"), len(r.Failures),
		s.rerun("once that is put right, the same command again tries only those"))
}

// rerun says what running the same command again does for a channel that
// reached some targets: durable, what says it; without -state, that every
// target gets the update again.
func (s summary) rerun(durable string) string {
	if !s.durable {
		return "without -state nothing records what was delivered, so the same command again sends to every target again"
	}
	return durable
}

// printSupersededTargets writes, for a channel with targets that a newer
// update of the incident reached first, which they are: the update was
// not sent there, and a re-run does not send it there either.
func (s summary) printSupersededTargets(w io.Writer, r broadcast.Result) {
	if len(r.SupersededTargets) == 0 {
		return
	}
	n := len(r.SupersededTargets)
	fmt.Fprintf(w, "announce: %s: not sent to %d %s that a newer update of the incident reached first: %s\n",
		r.Channel, n, plural(n, "target"), oneLine(s.show(r.Channel, strings.Join(r.SupersededTargets, ", "))))
}

// noteOf returns what a channel that delivered r says the update lacked
// there: a Statuspage component it has no component of, whose status the
// incident did not set (a typo in -component); "" for none.
func noteOf(r broadcast.Result) string {
	if r.Err != nil || r.Skipped {
		return ""
	}
	return r.Receipt.Meta[statuspageio.MetaUnknownComponents]
}

// jsonReport is the -json output of a send.
type jsonReport struct {
	UpdateID   string       `json:"update_id"`
	IncidentID string       `json:"incident_id"`
	OK         bool         `json:"ok"`
	Results    []jsonResult `json:"results"`
}

type jsonResult struct {
	Channel    string       `json:"channel"`
	Outcome    string       `json:"outcome"`
	Attempts   int          `json:"attempts"`
	DurationMS int64        `json:"duration_ms"`
	ID         string       `json:"id,omitempty"`
	URL        string       `json:"url,omitempty"` // of the earlier post, for a skipped channel; none once deleted
	Error      string       `json:"error,omitempty"`
	Note       string       `json:"note,omitempty"`      // delivered, but without something: see noteOf
	Delivered  []string     `json:"delivered,omitempty"` // targets delivered in this run
	Pending    []jsonTarget `json:"pending,omitempty"`   // targets a later run reaches
	Failures   []jsonTarget `json:"failures,omitempty"`  // targets that failed for good
	// Superseded lists the targets a newer update of the incident reached
	// first: this one was not sent there, nor is by a later run.
	Superseded []string `json:"superseded_targets,omitempty"`
}

// jsonTarget is a target (recipient, endpoint) and its error, each as the
// user sees it (see show): a target's name may hold a secret from the
// environment, as a webhook's host may.
type jsonTarget struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

func (s summary) targets(channel string, list []broadcast.TargetFailure) []jsonTarget {
	var out []jsonTarget
	for _, f := range list {
		out = append(out, jsonTarget{Target: s.show(channel, f.Target), Error: s.show(channel, errText(f.Err))})
	}
	return out
}

// names returns targets as the user sees them (see show).
func (s summary) names(channel string, targets []string) []string {
	var out []string
	for _, t := range targets {
		out = append(out, s.show(channel, t))
	}
	return out
}

func (s summary) printJSON(w io.Writer) error {
	out := jsonReport{UpdateID: s.rep.UpdateID, IncidentID: s.rep.IncidentID, OK: true,
		Results: make([]jsonResult, len(s.rep.Results))}
	for i, r := range s.rep.Results {
		jr := jsonResult{Channel: r.Channel, Outcome: s.outcome(r), Attempts: r.Attempts,
			DurationMS: r.Duration.Milliseconds(), ID: r.Receipt.ID, URL: s.link(r), Delivered: s.names(r.Channel, r.Delivered),
			Pending: s.targets(r.Channel, r.Pending), Failures: s.targets(r.Channel, r.Failures),
			Superseded: s.names(r.Channel, r.SupersededTargets)}
		if r.Err != nil {
			jr.Error = s.show(r.Channel, errText(r.Err))
			out.OK = false
		}
		if note := noteOf(r); note != "" {
			jr.Note = s.show(r.Channel, note)
		}
		out.Results[i] = jr
	}
	return writeJSON(w, out)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// shellWord returns s as one word a shell reads back as s: as it is when
// it holds only characters no shell treats specially, else in single
// quotes, so that an ID printed in the summary can be copied into -correct
// or -retract whole.
func shellWord(s string) string {
	// zsh expands a word that starts with "=" to a command's path.
	if s != "" && s[0] != '=' && !strings.ContainsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.:/@+=,%", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
