// Command announce sends one incident update to every configured channel —
// the console, webhooks, e-mail, X, IRC — with retries, live progress and a
// summary.
//
// Usage:
//
//	go run ./examples/announce -title "Elevated CDN errors" -status investigating \
//	    -impact major -body "Some requests fail in Europe." -component CDN=major_outage -next +30m
//
// Without -config it prints the update on standard output (the console
// channel). With -config FILE it reads a YAML file of channels (see
// outagecast.sample.yaml next to this file); values may be ${ENV},
// ${ENV:-default} or ${file:PATH} (a mounted secret file), so secrets stay
// out of the file and never show in output or errors.
//
// Modes:
//
//   - default: send. Progress goes to standard error, one line per channel
//     (redrawn in place on a terminal no console channel writes to, with
//     a row for each channel's line; -quiet for none), then a summary table goes to standard output: channel,
//     outcome (delivered, edited (-correct edited the post in place),
//     skipped, superseded, not selected, retracted, original retracted
//     (-correct of an update retracted there: nothing to correct),
//     failed, interrupted, timed out), attempts, time and link (for a skipped
//     channel, the link of its earlier post). -json prints it as JSON instead, and moves
//     console channels to standard error so that standard output is JSON
//     only. A hosted Statuspage (statuspageio) that has no component of a
//     -component name (a typo) gets the incident without that component's
//     status: standard error names it ("page: component "CDNN" not set:
//     …"), and so does the JSON's "note".
//   - -dry-run: print each channel's text with its length against the
//     channel's limit ("x: 143/280 weighted characters"); send nothing. A
//     channel whose "when:" leaves the update out says so instead ("x: not
//     sent: when: impacts [major, critical] does not select impact minor").
//     Impacts, components and first depend on whether the channel has
//     posted the incident: the dry run reads that from the state file
//     when it exists (and creates none), and otherwise takes the update
//     as the incident's first, and says so. A channel the state file says
//     delivered the update already says "not sent: delivered before", and
//     one that a newer update of the incident reached since this one was
//     first sent (a run that failed there, or was interrupted) says "not
//     sent: superseded": a send posts nothing there. One whose text
//     cannot be rendered (a template of the configuration's that fails on
//     this update) says "not sent: a send fails here: …", and the dry run
//     exits 1: the send fails there, and posts to the others. The texts
//     of an update sent before show the time it was first sent, as a send
//     of it again does. A state file that exists but will not open (damaged,
//     or held by a send still running) is named on standard error, and the
//     dry run exits 1: a send would fail. With -correct ID it previews the
//     correction: each channel's text, and whether it would edit the post
//     of update ID in place or post the correction in the thread, or not
//     send ("update ID was retracted here"); it refuses what -correct would
//     (a mistyped ID; without -incident, an update sent with an -incident
//     other than the slug of this -title, as a changed -title gives).
//   - -check: say what each channel is configured with (no secrets) and
//     verify its credentials and reachability without posting, for
//     channels that can, saying what was checked: for a webhook, DNS, a
//     TCP connection and (https) a TLS handshake to every endpoint, with no
//     HTTP request ("ops: 3 endpoints: DNS, TCP, TLS ok; nothing posted").
//     A console says "nothing to check" (it reaches no server); a channel
//     that could be checked only by posting says "unsupported".
//     A state file that exists but will not open (damaged, or held by a
//     send still running) is named on standard error, and -check exits 1.
//     A check that Ctrl-C cut short says "interrupted", and -check exits
//     130.
//     With -json, a console channel set to standard output is described
//     as writing to standard error, where -json moves it.
//   - -correct ID: correct the update ID with the one the flags describe:
//     channels that can edit a post edit it in place; the others post the
//     correction in the incident's thread ("Correction: …"). Give it the
//     -incident the update was sent with, unless that was the default (a
//     slug of the same -title): a correction in another incident is refused.
//   - -retract ID: delete the posts of update ID where the platform allows,
//     and say per channel whether it was deleted, never posted there, or
//     cannot be deleted on that platform. A retracted update is never
//     posted again: sending it again says "retracted" on those channels,
//     and a new -id announces it anew.
//
// -correct and -retract find the earlier posts in the durable store: give
// the -state the update was sent with. The summary of a send names the
// update's ID.
//
// Without -url, every channel links to the incident's page on the
// configuration's first status page, unless that page has no page of the
// incident and its "when:" leaves the update out: the link would lead
// nowhere, and the update goes out without one.
//
// A channel's "when:" in the configuration limits it to some updates (by
// status, impact, components); the others say "not selected". An update
// older than one a channel already posted for the incident says
// "superseded". -advice says what affected customers can do now; every
// default template shows it right after the status ("-advice -" is
// refused: only -body - reads standard input).
//
// With -state FILE (or "state:" in the configuration) a durable store
// remembers what was delivered: a later update of the same incident
// (-incident) threads under the earlier posts, and running the same update
// again sends nothing twice ("skipped (already delivered)").
//
// The same update means the same ID: -id, or else one derived from the
// flags as typed. Flags resolved at run time count by their text: -next
// "+30m" or "14:30" is the same update whenever the command runs (the
// messages show the time it resolves to on that run), and "-body -" counts
// by the text read. A UTF-8 byte-order mark that starts -body or -advice
// (a file a Windows editor saved, read by "-body -" or given as
// "$(cat body.txt)") is dropped, so it neither goes out nor makes another
// update. So, with -state, re-running a command after a channel failed
// sends only to the channels, endpoints and recipients that did not get
// it, those that refused the update for good included (a webhook
// receiver's 401 to a secret that differs): once the cause is fixed, the
// same command again tries them, and never posts twice where it was
// delivered. Without -state nothing records what was delivered: the same
// command again posts to every channel again, and the summary of a send
// that failed somewhere names the channels that delivered. Changing any
// flag's value (-next +45m) makes a new update; the configuration and the
// environment are not part of the ID. To post the same flags as a new
// update, give a new -id.
//
// -next takes "+30m", a clock time "14:30" in the local time zone (today,
// or tomorrow when it has passed) or an RFC 3339 time; messages show it in
// UTC. A clock time with a TZ that names no known time zone is an error
// (Go would take local time as UTC), unless that TZ means UTC in the POSIX
// form ("UTC0", "GMT+0"), and so is -next with -status resolved
// or completed, which promise no next update, and a -next more than 90 days
// ahead (broadcast.MaxNextUpdateAhead: +1000000h, a year mistyped).
//
// Interrupting (Ctrl-C, SIGTERM) stops retries at once; what was delivered
// is reported and remembered. A second Ctrl-C ends the program immediately.
// -timeout bounds the whole run the same way.
//
// A flag given an empty value (-correct "$ID" of a variable not set) is an
// error naming it, not the flag left out: -correct would otherwise post a
// new update, and -state keep no state. So is a flag given twice with
// two values (-state a.db … -state b.db; one that is a URL is not
// quoted), but -component and -override, which are repeatable; so is a
// switch given twice with two values (-dry-run … -dry-run=false, which
// would otherwise send for real), but not twice the same (-dry-run
// -dry-run). -check and -retract use none of the update's flags (-title,
// -status, -body, -advice, …): one given with them, empty or not, is an
// error naming it.
//
// Exit status: 0 when every channel delivered or had already; 1 when any
// channel failed, -timeout ended the run, or the state file would not
// open (damaged, or locked by another process: a send still running on
// it) (or, with -check, a check failed); 2 on bad flags, a bad update or a
// bad configuration (a state file whose directory does not exist, or a
// state path that is a directory, included; and an -id that is a
// correction's, which the channels that delivered the correction refuse,
// naming -id); 130 when Ctrl-C or SIGTERM
// interrupted the run (a send, a check, a retraction, or the reading of
// "-body -") before it was done, as a shell reports a program Ctrl-C
// ended. The exit statuses mean the same in every example program. A
// retraction exits 0 when every post that can be deleted was, and names
// the channels whose platform cannot delete posts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the program at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitInterrupted is 128+SIGINT, as a shell reports a program Ctrl-C
	// ended, and as the other example programs exit when interrupted.
	exitInterrupted = 130
)

// run is the program: it parses args, sends (or previews, or checks) and
// returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runAt(ctx, time.Now, args, stdin, stdout, stderr)
}

// runAt is run with now as the clock that relative flags (-next +30m)
// start from.
func runAt(ctx context.Context, now func() time.Time, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, fs, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "announce: %v\nRun announce -help for usage.\n", err)
		return exitUsage
	}
	// Console channels and the progress display write concurrently, maybe
	// to one writer: serialize them.
	var mu sync.Mutex
	a := &app{opts: o, stdin: stdin, now: now,
		stdout: &syncWriter{mu: &mu, w: stdout}, stderr: &syncWriter{mu: &mu, w: stderr},
		ttyOut: isTerminal(stdout), ttyErr: isTerminal(stderr), width: terminalWidth(stderr), height: terminalHeight(stderr),
		hide: func(s string) string { return s }, explain: (*config.File)(nil).Explain}
	return a.run(ctx)
}

// syncWriter serializes writes to w through mu.
type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// app is one run of the program.
type app struct {
	opts   *options
	stdin  io.Reader
	now    func() time.Time // the clock -next +30m starts from
	stdout io.Writer
	stderr io.Writer
	ttyOut bool                // standard output is a terminal
	ttyErr bool                // standard error is a terminal
	width  int                 // of standard error's terminal, in columns; 0: unknown
	height int                 // of standard error's terminal, in rows; 0: unknown
	hide   func(string) string // hides secrets taken from the environment
	// explain puts a channel's error in the configuration's terms.
	explain func(channel, msg string) string
	sent    bool      // a send delivered to some channel
	started time.Time // when the run started, which -timeout counts from
}

// say returns msg, an error of channel, as the user may see it: secrets
// hidden, settings named as the configuration names them.
func (a *app) say(channel, msg string) string {
	return a.explain(channel, a.hide(msg))
}

// needsState refuses -correct and -retract without a store that outlives
// the process: with one in memory, the update's posts are unknown, so a
// retraction would delete nothing and a correction post anew.
func (a *app) needsState(cfg *config.File) error {
	if cfg.Store.Kind != config.StoreMemory && cfg.Store.Kind != "" {
		return nil
	}
	for _, m := range []struct{ flag, v string }{{"correct", a.opts.correct}, {"retract", a.opts.retract}} {
		if m.v != "" {
			return badFlag(m.flag, "needs the store the update was sent with: pass -state FILE, or a store in the configuration")
		}
	}
	return nil
}

func (a *app) run(ctx context.Context) int {
	a.started = time.Now()
	var u broadcast.Update
	if !a.opts.check && a.opts.retract == "" {
		stdin := a.stdin
		if a.opts.body == "-" && stdin != nil {
			if readsTerminal(stdin) {
				// Else it waits without a word, and an empty line,
				// which does not end the text, looks like a hang.
				a.note("reading -body from the terminal: type the text, then Ctrl-D on a line of its own (Ctrl-C cancels)")
			}
			rctx, cancel := a.withTimeout(ctx)
			stdin = readStdin(rctx, stdin)
			timedOut := errors.Is(rctx.Err(), context.DeadlineExceeded)
			cancel()
			switch {
			case stdin == nil && timedOut:
				fmt.Fprintf(a.stderr, "announce: gave up after -timeout %s, reading -body - from standard input\n", a.opts.timeout)
				return exitFailed
			case stdin == nil:
				fmt.Fprintln(a.stderr, "announce: interrupted")
				return exitInterrupted
			}
		}
		var err error
		if u, err = a.opts.update(stdin, a.now()); err != nil {
			return a.fail(exitUsage, err)
		}
	}
	cfg, err := a.load()
	if err != nil {
		// The file's mistake (its error says file:line): the flags are fine.
		fmt.Fprintf(a.stderr, "announce: %s\n", a.hide(err.Error()))
		return exitUsage
	}
	if err := a.needsState(cfg); err != nil {
		return a.fail(exitUsage, err)
	}
	switch {
	case a.opts.check:
		return a.check(ctx, cfg)
	case a.opts.retract != "":
		return a.retract(ctx, cfg)
	}
	overrides, err := checkOverrides(a.opts.overrides, cfg.Channels)
	if err != nil {
		return a.fail(exitUsage, err)
	}
	u.Overrides = overrides
	if a.opts.dryRun {
		return a.preview(ctx, cfg, u)
	}
	code := a.send(ctx, cfg, u)
	if a.opts.config == "" && a.sent {
		out := "standard output"
		if a.opts.json {
			out = "standard error" // see load
		}
		a.note("no -config: the update went to the console (%s) only.", out)
		a.note("to post for real, copy %s, fill it in and pass -config FILE", sampleConfig)
		a.note("(try it first with -dry-run and -check).")
	}
	return code
}

// linkToPage sets u.URL, when -url was not given, to the incident's page on
// the first status page among cfg's channels, so that every channel links
// to it; but not when that page will not have it (see pagelink.Page.Link,
// for a correction as Correct routes it): the link would lead nowhere. The
// update's ID stays as the flags derive it: the page's URL follows from
// the configuration, the same on every run.
func (a *app) linkToPage(ctx context.Context, b *broadcast.Broadcaster, cfg *config.File, u *broadcast.Update) {
	pagelink.Find(cfg.Channels, cfg.Routes).Set(ctx, b, u, a.opts.correct)
}

// fail prints err, its secrets hidden, and returns code.
func (a *app) fail(code int, err error) int {
	fmt.Fprintf(a.stderr, "announce: %s\n", a.hide(err.Error()))
	if code == exitUsage {
		fmt.Fprintln(a.stderr, "Run announce -help for usage.")
	}
	return code
}

// note prints a hint on standard error, unless -quiet.
func (a *app) note(format string, args ...any) {
	if !a.opts.quiet {
		fmt.Fprintf(a.stderr, "announce: "+format+"\n", args...)
	}
}
