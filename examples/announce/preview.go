package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/checknote"
)

// defaultCheckTimeout bounds each channel's check when -timeout is not set.
const defaultCheckTimeout = 30 * time.Second

// preview prints what each channel would send (-dry-run). A channel whose
// "when:" leaves the update out says "not sent" and why, without its text:
// the question a dry run answers is what goes where.
func (a *app) preview(ctx context.Context, cfg *config.File, u broadcast.Update) int {
	opts := cfg.Options()
	// The state file, if there is one, says which channels delivered the
	// update already, and the channels' threads, which matter to some
	// routes.
	th := openThreads(cfg)
	defer th.close()
	if th.store != nil {
		// For the routes that depend on the thread, and RetractedOn.
		opts.Store = th.store
	}
	b, err := broadcast.New(cfg.Channels, opts)
	if err != nil {
		return a.fail(exitUsage, err)
	}
	defer b.Close()
	if a.opts.correct != "" {
		if code, ok := a.checkCorrection(ctx, b, th, cfg, u); !ok {
			return code
		}
	}
	a.linkToPage(ctx, b, cfg, &u)
	u = a.asSentBefore(ctx, b, th, u)
	previews, err := b.Preview(u)
	unrendered := previewFailures(err)
	switch {
	case err != nil && len(unrendered) == 0 && errors.Is(err, broadcast.ErrInvalidUpdate):
		// As a send says it: the flag at fault ("-override: ops=eu: …").
		return a.fail(exitUsage, validationError(err))
	case err != nil && len(unrendered) == 0:
		return a.fail(exitUsage, err)
	}
	routes := a.routings(ctx, b, th, cfg, u)
	a.deliveredBefore(ctx, b, th, u, routes)
	if a.opts.correct != "" {
		a.correcting(ctx, b, th, cfg, u, routes)
	}
	code := exitOK
	for name, why := range unrendered {
		// A send renders it too, and fails there for good; not where
		// it is not sent.
		if rt := routes[name]; rt.notSent == "" {
			rt.notSent, rt.assumed, rt.correction = "a send fails here: "+oneLine(a.say(name, why)), "", ""
			routes[name] = rt
			code = exitFailed
		}
	}
	byName := make(map[string]broadcast.Preview, len(previews))
	for _, p := range previews {
		byName[p.Channel] = p
	}
	if th.broken {
		// Not a hint: -quiet does not hide it.
		fmt.Fprintf(a.stderr, "announce: %s; which channels delivered the update before is unknown, and a send with it would fail\n",
			a.stateFault(cfg, oneLine(a.hide(th.why))))
		code = exitFailed
	}
	if a.opts.json {
		return cmp.Or(a.previewJSON(b.Channels(), byName, unrendered, routes), code)
	}
	for i, name := range b.Channels() {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		rt := routes[name]
		note := ""
		if rt.assumed != "" {
			note = " (" + rt.assumed + ")"
		}
		switch rt.correction {
		case correctionEdit:
			// The platform may refuse at the time (X's 30 minutes, Slack's
			// edit window): Correct then posts it in the thread.
			note += " (edits its post of update " + a.opts.correct + " in place, if the platform still lets it; else posts it in the thread)"
		case correctionPost:
			note += " (posted in the incident's thread as a correction)"
		}
		if rt.notSent != "" {
			fmt.Fprintf(a.stdout, "--- %s: not sent: %s%s\n", name, rt.notSent, note)
			continue
		}
		p, ok := byName[name]
		if !ok {
			fmt.Fprintf(a.stdout, "--- %s: no preview (the channel cannot render without sending)%s\n", name, note)
			continue
		}
		printPreview(a.stdout, p, note)
	}
	return code
}

// What a correction does on a channel, in a dry run's routing.
const (
	correctionEdit = "edited in place"      // the channel edits the original's post
	correctionPost = "posted in the thread" // it posts the correction anew
)

// checkCorrection refuses, as Correct would, a correction of -correct that
// is invalid, or whose original the state file th knows no delivery of
// (a mistyped ID) or was sent in another incident: it prints why and
// returns the exit code and false.
func (a *app) checkCorrection(ctx context.Context, b *broadcast.Broadcaster, th *threads, cfg *config.File, u broadcast.Update) (int, bool) {
	if th.store == nil {
		// Not a hint: -quiet does not hide it.
		fmt.Fprintf(a.stderr, "announce: %s; the posts of update %s are unknown, and a correction would fail\n",
			a.stateFault(cfg, oneLine(a.hide(th.why))), a.opts.correct)
		return exitFailed, false
	}
	_, err := b.Jobs(broadcast.JobCorrect, u, a.opts.correct)
	if err == nil {
		err = b.CheckOriginal(ctx, broadcast.JobCorrect, u, a.opts.correct)
	}
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, broadcast.ErrInvalidUpdate):
		return a.fail(exitUsage, validationError(err)), false
	}
	return a.fail(exitFailed, err), false
}

// correcting sets in routes what the correction u of -correct does on
// each channel of cfg, as Correct decides it from the state file th:
// nothing where the original was retracted; elsewhere the correction goes
// out (an edit in place on a channel that can edit and has the original's
// receipt, else a post in the thread) unless its "when:" leaves it out as
// Correct decides it (broadcast.Broadcaster.CorrectionRejects): on a
// channel the original reached, or is still being delivered to, whatever
// its "when:" says; on one whose "when:" left the original out, as the
// original was routed there. A decision that cannot be read keeps what
// "when:" says of u, as the line says.
func (a *app) correcting(ctx context.Context, b *broadcast.Broadcaster, th *threads, cfg *config.File, u broadcast.Update, routes map[string]routing) {
	original := a.opts.correct
	gone := retractedOn(ctx, b, original)
	u = u.WithDefaults(a.now())
	for _, ch := range cfg.Channels {
		name := ch.Name()
		rt := routes[name]
		_, posted, _ := th.store.Receipt(ctx, original, name)
		switch {
		case gone[name]:
			rt.notSent, rt.assumed = "update "+original+" was retracted here: nothing to correct", ""
		case rt.notSent == "" || strings.HasPrefix(rt.notSent, "when: "):
			if _, routed := cfg.Routes[name]; !routed {
				break
			}
			if why, err := b.CorrectionRejects(ctx, original, u, name); err == nil {
				rt.notSent, rt.assumed = "", ""
				if why != "" {
					rt.notSent = "when: " + a.hide(why) // see routings
				}
			}
		}
		if rt.notSent == "" {
			rt.correction = correctionPost
			if _, editor := broadcast.As[broadcast.Editor](ch); editor && posted {
				rt.correction = correctionEdit
			}
		}
		routes[name] = rt
	}
}

// asSentBefore returns u with the Time it was first sent with, when the
// state file th records a send of it (one that failed somewhere, or was
// interrupted): a send of it again takes that Time (see
// broadcast.Broadcaster.SentTime), so its texts show it, and a newer
// update of the incident posted since supersedes it. Else u as it is.
func (a *app) asSentBefore(ctx context.Context, b *broadcast.Broadcaster, th *threads, u broadcast.Update) broadcast.Update {
	if th.store == nil || !u.Time.IsZero() {
		return u
	}
	if t, ok, err := b.SentTime(ctx, u.WithDefaults(a.now()).ID); err == nil && ok {
		u.Time = t
	}
	return u
}

// deliveredBefore marks in routes, as not sent, the channels of b (whose
// Store is the state file's) that delivered u already, or on which it was
// retracted: a send of it skips them, or posts nothing there; and, for u
// sent before (its Time set by asSentBefore), the channels whose route
// takes it where a newer update of its incident was posted since: a send
// finds it superseded there, as the library decides it
// (broadcast.Broadcaster.SupersededOn). A correction is never superseded.
func (a *app) deliveredBefore(ctx context.Context, b *broadcast.Broadcaster, th *threads, u broadcast.Update, routes map[string]routing) {
	if th.store == nil {
		return
	}
	sentBefore := !u.Time.IsZero()
	u = u.WithDefaults(a.now())
	id := u.ID
	gone := retractedOn(ctx, b, id)
	var newer []string
	if sentBefore && a.opts.correct == "" {
		// As the send gives it: without a Time, which the library reads
		// with the place of its first send (of two updates of equal Time,
		// the one first sent later is the newer).
		asSent := u
		asSent.Time = time.Time{}
		newer, _ = b.SupersededOn(ctx, asSent) // unread: "would send", as with a thread unread
	}
	for _, name := range b.Channels() {
		rt := routes[name]
		if gone[name] {
			rt.notSent = "retracted with this state file (update " + id + "): a send posts nothing"
			routes[name] = rt
			continue
		}
		done, failure, err := th.store.Done(ctx, id, name, "")
		if err == nil && done && failure == "" {
			rt.notSent = "delivered before with this state file (update " + id + "): a send skips it"
			routes[name] = rt
			continue
		}
		if rt.notSent != "" || !slices.Contains(newer, name) {
			continue
		}
		by := "a newer update"
		if t, err := b.Thread(ctx, u.IncidentID, name); err == nil && t.Last.UpdateID != "" {
			by = "update " + t.Last.UpdateID + ", newer,"
		}
		rt.notSent = "superseded with this state file (" + by + " was posted here since this one was first sent): a send posts nothing"
		rt.assumed = ""
		routes[name] = rt
	}
}

// previewFailures returns, by channel name, the error of each channel
// whose preview failed, as err, Broadcaster.Preview's, names them (a
// *broadcast.PreviewError each); none when err is nil, or is no channel's
// (an invalid update).
func previewFailures(err error) map[string]string {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out map[string]string
	for _, e := range errs {
		if e == nil {
			continue
		}
		var pe *broadcast.PreviewError
		if !errors.As(e, &pe) {
			return nil
		}
		if out == nil {
			out = map[string]string{}
		}
		out[pe.Channel] = pe.Err.Error()
	}
	return out
}

// printPreview prints p, its header line ending with note.
func printPreview(w io.Writer, p broadcast.Preview, note string) {
	unit := p.Unit
	if unit == "" {
		unit = "characters"
	}
	switch {
	case p.Limit <= 0:
		fmt.Fprintf(w, "--- %s: %d %s%s\n", p.Channel, p.Length, unit, note)
	case p.Length > p.Limit:
		fmt.Fprintf(w, "--- %s: %d/%d %s: OVER THE LIMIT by %d%s\n", p.Channel, p.Length, p.Limit, unit, p.Length-p.Limit, note)
	default:
		fmt.Fprintf(w, "--- %s: %d/%d %s%s\n", p.Channel, p.Length, p.Limit, unit, note)
	}
	if p.Subject != "" {
		fmt.Fprintf(w, "Subject: %s\n\n", p.Subject)
	}
	fmt.Fprintln(w, p.Text)
}

// jsonPreview is one channel's -dry-run -json entry. It keeps the text of
// a channel whose "when:" leaves the update out; WouldSend tells them
// apart.
type jsonPreview struct {
	broadcast.Preview
	Over      bool   `json:"over_limit"`
	WouldSend bool   `json:"would_send"`         // false: the channel's "when:" leaves the update out
	NotSent   string `json:"not_sent,omitempty"` // why not
	Assumed   string `json:"assumed,omitempty"`  // the channel's thread, unread, taken as empty
	// Correction says, with -correct, whether the channel would edit the
	// original's post ("edited in place") or post the correction anew
	// ("posted in the thread"); empty when it would not send.
	Correction string `json:"correction,omitempty"`
}

// previewJSON writes the preview of each of the channels names, from
// byName, or, for one whose text could not be rendered (unrendered), its
// name and why it is not sent; channels that cannot preview are left out.
func (a *app) previewJSON(names []string, byName map[string]broadcast.Preview, unrendered map[string]string, routes map[string]routing) int {
	out := []jsonPreview{}
	for _, name := range names {
		p, ok := byName[name]
		if _, failed := unrendered[name]; !ok && !failed {
			continue
		}
		p.Channel = name
		rt := routes[name]
		out = append(out, jsonPreview{Preview: p, Over: p.Limit > 0 && p.Length > p.Limit,
			WouldSend: rt.notSent == "", NotSent: rt.notSent, Assumed: rt.assumed, Correction: rt.correction})
	}
	if err := writeJSON(a.stdout, out); err != nil {
		return a.fail(exitFailed, err)
	}
	return exitOK
}

// checkResult is one channel's -check outcome.
type checkResult struct {
	Channel    string `json:"channel"`
	Configured string `json:"configured"`       // what the channel is configured with, no secrets
	Outcome    string `json:"outcome"`          // ok, failed, unsupported, nothing to check (a console), interrupted
	Detail     string `json:"detail,omitempty"` // what was checked, when ok; why nothing, when nothing to check
	Error      string `json:"error,omitempty"`
}

// scoper is a Checker that says what its check verifies, as the webhook
// channel does ("3 endpoints: DNS, TCP, TLS").
type scoper interface {
	CheckScope() string
}

// check says what each channel is configured with and runs
// Broadcaster.Check (-check): channels that are Checkers verify their
// credentials and reachability without posting.
func (a *app) check(ctx context.Context, cfg *config.File) int {
	opts := cfg.Options()
	opts.AttemptTimeout = cmp.Or(a.opts.timeout, defaultCheckTimeout) // bounds each check
	b, err := broadcast.New(cfg.Channels, opts)
	if err != nil {
		return a.fail(exitUsage, err)
	}
	errs := b.Check(ctx)
	b.Close()
	results := make([]checkResult, len(cfg.Channels))
	code := exitOK
	interrupted := false
	for i, ch := range cfg.Channels {
		results[i] = a.checkResult(cfg, ch, errs[i])
		if errs[i] != nil && ctx.Err() != nil && errors.Is(errs[i], ctx.Err()) {
			// Ctrl-C cut the check short: it did not fail.
			results[i] = checkResult{Channel: ch.Name(), Configured: a.describe(cfg, ch), Outcome: outcomeInterrupted}
			interrupted = true
		}
		if results[i].Outcome == "failed" || results[i].Outcome == outcomeInterrupted {
			code = exitFailed
		}
	}
	if interrupted {
		defer fmt.Fprintln(a.stderr, "announce: interrupted") // after the table, as a send says it
	}
	// The state file a send would open, if it exists (a check makes
	// none): damaged, or locked by a send still running, the send fails.
	if th := openThreads(cfg); th.broken {
		// Not a hint: -quiet does not hide it.
		fmt.Fprintf(a.stderr, "announce: %s; a send with it would fail\n", a.stateFault(cfg, oneLine(a.hide(th.why))))
		code = exitFailed
	} else {
		th.close()
	}
	if interrupted {
		code = exitInterrupted
	}
	if a.opts.json {
		if err := writeJSON(a.stdout, results); err != nil {
			return a.fail(exitFailed, err)
		}
		return code
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tCONFIGURED\tCHECK")
	for _, r := range results {
		check := r.Outcome
		if d := cmp.Or(r.Error, r.Detail); d != "" {
			check += ": " + d
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Channel, r.Configured, check)
	}
	tw.Flush()
	return code
}

// describe is what channel ch is configured with, as cfg.Describe says it,
// but true of this run: with -json a console channel set to write to
// standard output writes to standard error (see load), which it says.
func (a *app) describe(cfg *config.File, ch broadcast.Channel) string {
	d := cfg.Describe(ch.Name())
	if _, ok := broadcast.As[*console.Channel](ch); ok && a.opts.json {
		if rest, ok := strings.CutPrefix(d, "stdout"); ok {
			d = "stderr (stdout without -json)" + rest
		}
	}
	return d
}

// checkResult is channel ch's outcome of a check that returned err.
func (a *app) checkResult(cfg *config.File, ch broadcast.Channel, err error) checkResult {
	r := checkResult{Channel: ch.Name(), Configured: a.describe(cfg, ch)}
	switch {
	case errors.Is(err, broadcast.ErrNotSupported):
		outcome, why := checknote.NotChecked(ch)
		r.Outcome = outcome
		if outcome == checknote.NothingToCheck {
			r.Detail = why // no failure: nothing is wrong
		} else {
			r.Error = why
		}
	case err != nil:
		r.Outcome, r.Error = "failed", oneLine(a.say(ch.Name(), err.Error()))
	default:
		r.Outcome = "ok"
		if s, ok := broadcast.As[scoper](ch); ok {
			r.Detail = s.CheckScope() + " ok; nothing posted"
		}
	}
	return r
}
