package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/outagecast/outagecast/broadcast"
)

// Outcomes of a channel in the summary.
const (
	outcomeDelivered   = "delivered"
	outcomeSkipped     = "skipped"
	outcomeFailed      = "failed"
	outcomeInterrupted = "interrupted" // Ctrl-C
	outcomeTimedOut    = "timed out"   // -timeout
)

// summary is the outcome of a send, for printing.
type summary struct {
	rep     *broadcast.Report
	stopped error                             // the run's context error, if it ended
	show    func(channel, text string) string // an error's text as the user sees it
}

// outcome names r's outcome. A channel that had not delivered when the run
// was interrupted or timed out says so, rather than "failed".
func (s summary) outcome(r broadcast.Result) string {
	switch {
	case r.Skipped:
		return outcomeSkipped
	case r.Err == nil:
		return outcomeDelivered
	case errors.Is(s.stopped, context.DeadlineExceeded):
		return outcomeTimedOut
	case s.stopped != nil:
		return outcomeInterrupted
	}
	return outcomeFailed
}

// printTable writes the summary table: one row per channel.
func (s summary) printTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tOUTCOME\tATTEMPTS\tTIME\tLINK")
	for _, r := range s.rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.Channel, s.outcome(r), r.Attempts,
			formatDuration(r.Duration), r.Receipt.URL)
	}
	return tw.Flush()
}

// printFailures writes one line per channel that did not deliver, with the
// reason, to w (standard error).
func (s summary) printFailures(w io.Writer) {
	for _, r := range s.rep.Results {
		if r.Err == nil {
			continue
		}
		fmt.Fprintf(w, "announce: %s: %s after %d %s: %s\n", r.Channel, s.outcome(r), r.Attempts,
			plural(r.Attempts, "attempt"), oneLine(s.show(r.Channel, r.Err.Error())))
	}
}

// jsonReport is the -json output of a send.
type jsonReport struct {
	UpdateID   string       `json:"update_id"`
	IncidentID string       `json:"incident_id"`
	OK         bool         `json:"ok"`
	Results    []jsonResult `json:"results"`
}

type jsonResult struct {
	Channel    string `json:"channel"`
	Outcome    string `json:"outcome"`
	Attempts   int    `json:"attempts"`
	DurationMS int64  `json:"duration_ms"`
	ID         string `json:"id,omitempty"`
	URL        string `json:"url,omitempty"`
	Error      string `json:"error,omitempty"`
}

func (s summary) printJSON(w io.Writer) error {
	out := jsonReport{UpdateID: s.rep.UpdateID, IncidentID: s.rep.IncidentID, OK: true,
		Results: make([]jsonResult, len(s.rep.Results))}
	for i, r := range s.rep.Results {
		jr := jsonResult{Channel: r.Channel, Outcome: s.outcome(r), Attempts: r.Attempts,
			DurationMS: r.Duration.Milliseconds(), ID: r.Receipt.ID, URL: r.Receipt.URL}
		if r.Err != nil {
			jr.Error = s.show(r.Channel, r.Err.Error())
			out.OK = false
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
