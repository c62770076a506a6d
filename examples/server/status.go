package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
)

// Outcomes of a channel, in the answer to GET /v1/updates/{id}.
const (
	outcomeDelivered   = "delivered"    // posted (for a retraction: deleted, or the retraction sent)
	outcomeEdited      = "edited"       // a correction: the original's post edited in place
	outcomePending     = "pending"      // queued, under way, or waiting to be retried
	outcomeFailed      = "failed"       // given up: failed for good, or out of attempts
	outcomeSkipped     = "skipped"      // nothing to do: delivered earlier (for a retraction: never posted)
	outcomeSuperseded  = "superseded"   // a newer update of the incident went out first
	outcomeNotSelected = "not_selected" // the channel's "when:" leaves the update out
	outcomeUnknown     = "unknown"      // the job is gone (River keeps finished jobs a day) and no post is known
	// delivered (posted, edited, deleted), but the Store could not record
	// it: not failed, and not to be posted again; error says what was not
	// recorded, receipt names the post when there is one.
	outcomeNotRecorded = "delivered_not_recorded"
)

// updateStatus is the answer to GET /v1/updates/{id}: where the delivery
// of an update (or a correction) stands on each channel, and its
// retraction's, if one was asked for.
type updateStatus struct {
	ID         string          `json:"id"`
	IncidentID string          `json:"incident_id,omitempty"`
	Done       bool            `json:"done"`
	Started    time.Time       `json:"started,omitzero"`
	Finished   time.Time       `json:"finished,omitzero"`
	Channels   []channelStatus `json:"channels"`
	Retraction *retraction     `json:"retraction,omitempty"`
	Links      links           `json:"links"`
}

// retraction is where the retraction of an update stands.
type retraction struct {
	Done     bool            `json:"done"`
	Channels []channelStatus `json:"channels"`
}

// channelStatus is one channel's part.
type channelStatus struct {
	Channel  string       `json:"channel"`
	Outcome  string       `json:"outcome"`
	Attempts int          `json:"attempts"`
	Receipt  *receipt     `json:"receipt,omitempty"`
	Error    string       `json:"error,omitempty"`
	Failures []targetFail `json:"failures,omitempty"`
	Pending  []targetFail `json:"pending,omitempty"`
}

// receipt is a channel's post: its id on the platform and its link.
type receipt struct {
	ID   string            `json:"id,omitempty"`
	URL  string            `json:"url,omitempty"`
	Time time.Time         `json:"time,omitzero"`
	Meta map[string]string `json:"meta,omitempty"`
}

// targetFail is a recipient or endpoint of a channel that failed.
type targetFail struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

// status assembles the state of update id from its jobs, else from the
// Store's receipts; found is false when neither knows it. hide removes
// secrets taken from the environment from error texts.
func status(ctx context.Context, be backend, id string, hide func(string) string) (st updateStatus, found bool, err error) {
	st = updateStatus{ID: id, Links: linksOf(id), Channels: []channelStatus{}}
	rep, done, err := be.Report(ctx, id)
	switch {
	case err == nil:
		found = true
		st.IncidentID, st.Done, st.Started, st.Finished = rep.IncidentID, done, rep.Started, rep.Finished
		st.Channels = channels(rep.Results, hide)
	case errors.Is(err, dispatch.ErrNoJobs):
		if found, err = fromReceipts(ctx, be, &st, hide); err != nil {
			return st, false, err
		}
	default:
		return st, false, err
	}
	rrep, rdone, err := be.RetractReport(ctx, id)
	switch {
	case err == nil:
		found = true
		st.Retraction = &retraction{Done: rdone, Channels: channels(rrep.Results, hide)}
	case !errors.Is(err, dispatch.ErrNoJobs):
		return st, false, err
	}
	return st, found, nil
}

// fromReceipts fills in st for an update whose jobs River no longer keeps
// (none is pending, then): channels with a receipt delivered it, the
// others' outcome is unknown.
func fromReceipts(ctx context.Context, be backend, st *updateStatus, hide func(string) string) (found bool, err error) {
	st.Done = true
	for _, ch := range be.Channels() {
		r, ok, err := be.Receipt(ctx, st.ID, ch)
		if err != nil {
			return false, err
		}
		cs := channelStatus{Channel: ch, Outcome: outcomeUnknown}
		if ok {
			found = true
			cs.Outcome, cs.Receipt = outcomeDelivered, receiptOf(r, hide)
		}
		st.Channels = append(st.Channels, cs)
	}
	return found, nil
}

func channels(results []broadcast.Result, hide func(string) string) []channelStatus {
	out := make([]channelStatus, 0, len(results))
	for _, r := range results {
		cs := channelStatus{Channel: r.Channel, Outcome: outcome(r), Attempts: r.Attempts, Receipt: receiptOf(r.Receipt, hide),
			Failures: targets(r.Failures, hide), Pending: targets(r.Pending, hide)}
		if r.Err != nil && r.Err != dispatch.ErrPending {
			cs.Error = hide(r.Err.Error())
		}
		out = append(out, cs)
	}
	return out
}

func outcome(r broadcast.Result) string {
	switch {
	case errors.Is(r.Err, dispatch.ErrPending):
		return outcomePending
	case errors.Is(r.Err, dispatch.ErrJobDeleted):
		return outcomeUnknown // River deleted the job, and the Store has no post of it
	case errors.Is(r.Err, broadcast.ErrNotRecorded):
		return outcomeNotRecorded // the job completed: delivered, its record lost
	case r.Err != nil:
		return outcomeFailed
	case r.Skipped:
		return outcomeSkipped
	case r.Superseded:
		return outcomeSuperseded
	case r.NotSelected:
		return outcomeNotSelected
	case r.Edited:
		return outcomeEdited
	}
	return outcomeDelivered
}

// receiptOf returns r as the answer shows it, hide applied to its ID,
// its URL and its metadata, keys and values, as to errors: a channel may
// give the URL it posted to, which holds a secret from the environment
// (a webhook's token). The URL, and metadata values that are URLs, lose
// their credentials too (see credvalue.Link).
func receiptOf(r broadcast.Receipt, hide func(string) string) *receipt {
	if r.ID == "" && r.URL == "" && r.Time.IsZero() && len(r.Meta) == 0 {
		return nil
	}
	out := &receipt{ID: hide(r.ID), URL: credvalue.Link(hide(r.URL)), Time: r.Time}
	if len(r.Meta) > 0 {
		out.Meta = make(map[string]string, len(r.Meta))
		for k, v := range r.Meta {
			if strings.Contains(v, "://") {
				v = credvalue.Link(v)
			}
			out.Meta[hide(k)] = hide(v)
		}
	}
	return out
}

// targets returns tfs as the answer names them, hide applied to each
// target too: a target's name may hold a secret from the environment, as
// a webhook's host may.
func targets(tfs []broadcast.TargetFailure, hide func(string) string) []targetFail {
	var out []targetFail
	for _, tf := range tfs {
		out = append(out, targetFail{Target: hide(tf.Target), Error: hide(tf.Err.Error())})
	}
	return out
}
