package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
	"github.com/outagecast/outagecast/examples/internal/durationflag"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/internal/quotecut"
)

// usageError is a problem with the command line or the update: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func badFlag(name, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf("-%s: %s", name, fmt.Sprintf(format, args...))}
}

// options are the parsed command line.
type options struct {
	incident, title, status, impact string
	body, url, next, id, advice     string
	components, overrides           listFlag
	config, state                   string
	correct, retract                string // update IDs
	dryRun, check, quiet, json      bool
	timeout                         time.Duration
	set                             map[string]bool // the flags given
}

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("announce", flag.ContinueOnError)
	fs.StringVar(&o.title, "title", "", "incident `title` (required to send)")
	fs.StringVar(&o.status, "status", "", "`status` (required to send): investigating, identified, monitoring,\nresolved; for maintenance scheduled, in_progress, verifying, completed")
	fs.StringVar(&o.impact, "impact", "", "`impact`: none, minor, major, critical, maintenance")
	fs.StringVar(&o.body, "body", "", "update `text`, optional; - reads it from standard input (given empty, or\nempty standard input, is an error)")
	fs.StringVar(&o.advice, "advice", "", "what affected customers can do now (`text`, optional; given empty is an\nerror), shown right after the status: \"Retry with backoff\", \"No action needed\"")
	fs.StringVar(&o.url, "url", "", "status page or incident `URL`, kept whole in every message")
	fs.StringVar(&o.next, "next", "", "next update `time`: +30m, a local clock time 14:30 (today, or tomorrow\nif passed), or RFC 3339, at most 90 days ahead; shown in UTC (not with -status\nresolved or completed)")
	fs.Var(&o.components, "component", "affected component as `NAME=STATUS` (repeatable, one component each); STATUS\nis operational, degraded_performance, partial_outage, major_outage or\nunder_maintenance")
	fs.Var(&o.overrides, "override", "text for one channel instead of its template, as `CHANNEL=TEXT` (repeatable)")
	fs.StringVar(&o.incident, "incident", "", "incident `id` that threads its updates (default: a slug of -title);\nreuse it for every update of the incident")
	fs.StringVar(&o.id, "id", "", "update `id` for idempotency (default: derived from the flags as typed,\n-next by its text; see below); an id delivered before is not sent again,\nwhatever its text")
	fs.StringVar(&o.config, "config", "", "channels configuration `file` (YAML; see "+sampleConfig+");\ndefault: the console only")
	fs.StringVar(&o.state, "state", "", "durable state `file`: threads later updates and never sends one twice\n(default: the config's state, else none)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what each channel would send, with its length, and send nothing;\na channel whose \"when:\" leaves the update out says \"not sent\" and why\n(with -state, reading whether it has posted the incident), and so does one\nthat delivered the update before with that state file, or that a newer update\nof the incident reached since it was first sent; with -correct, what the\ncorrection would post, and where it would edit the post in place")
	fs.BoolVar(&o.check, "check", false, "say what each channel is configured with, and check its credentials and\nreachability without posting, and that the state file, if there is one, opens")
	fs.StringVar(&o.correct, "correct", "", "correct the update of this `id` with the one the flags describe: edited in\nplace where the platform allows, posted as a correction in its thread elsewhere\n(needs the -state the update was sent with, and the -incident it was sent with\nunless that was the default, a slug of the same -title)")
	fs.StringVar(&o.retract, "retract", "", "delete the posts of the update of this `id` where the platform allows\n(needs the -state the update was sent with)")
	fs.Var((*durationflag.Value)(&o.timeout), "timeout", "give up after this `duration` (default: sending is bounded by the retry\npolicy, each check by 30s)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress or hints on standard error")
	fs.BoolVar(&o.json, "json", false, "print the outcome as JSON on standard output instead of a table\n(console channels then write to standard error)")
	return fs
}

var (
	statusNames = []string{"investigating", "identified", "monitoring", "resolved",
		"scheduled", "in_progress", "verifying", "completed"}
	impactNames    = []string{"none", "minor", "major", "critical", "maintenance"}
	componentNames = []string{"operational", "degraded_performance", "partial_outage",
		"major_outage", "under_maintenance"}
)

const usageHead = `Usage: announce -title TITLE -status STATUS [flags]

announce sends one incident update to every configured channel (console,
webhook, e-mail, X, IRC, Slack, Discord, Mastodon, Matrix, a status page
and more), each with its own retries, shows progress on standard error and
prints a summary on standard output.

Examples:
  announce -title "Elevated CDN errors" -status investigating -impact major \
      -body "Some requests fail in Europe." -component CDN=major_outage -next +30m
  announce -config outagecast.yaml -dry-run -title "Elevated CDN errors" -status identified
  announce -config outagecast.yaml -check
  announce -config outagecast.yaml -state outagecast.db -incident cdn-errors \
      -correct u_0123… -title "Elevated CDN errors" -status identified -body "Fixed text."
  announce -config outagecast.yaml -state outagecast.db -retract u_0123…
  echo "A config push is rolled back." | announce -config outagecast.yaml \
      -state outagecast.db -incident cdn-errors -title "Elevated CDN errors" \
      -status monitoring -body -

Flags:
`

const usageTail = `
The update's ID, unless -id sets it, is derived from the flags as typed:
-next counts by its text ("+30m", "14:30"), not by the time it resolves to,
and -body - by the text read. So with -state, running the same command again
(after a channel failed, say) sends only to the channels that did not get
it, even hours later (as long as the -state file remembers it); messages
show the time -next resolves to on that run. A changed flag (-next +45m)
is a new update. The configuration and the environment are not part of
the ID. To post the same flags again as a new update, give a new -id.

Configuration values may be ${ENV}, ${ENV:-default} or ${file:PATH} (a
mounted secret file), so secrets stay out of the file and never show in
output or errors.

A flag given an empty value (-correct "$ID" of a variable not set) is an
error, not the flag left out, and so is a flag given twice with two values
(but -component and -override, which repeat), a switch too: -dry-run …
-dry-run=false is an error, -dry-run -dry-run is not. With -check or
-retract, a flag of the update (-title, -body, …) is an error: they use none.

Exit status: 0 when every channel delivered (or had already); 1 when a
channel failed, -timeout ended the run or the state file would not open;
2 on bad flags, a bad update or a bad configuration; 130 when Ctrl-C or
SIGTERM interrupted the run. A retraction exits 0 when every post that can
be deleted was, and names the channels whose platform cannot delete.
`

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usageHead)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, usageTail)
}

// parseFlags parses args; errors are usageErrors, or flag.ErrHelp for -h
// and -help.
func parseFlags(args []string) (*options, *flag.FlagSet, error) {
	o := &options{}
	fs := newFlagSet(o)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// -component and -override are repeatable; another flag given twice
	// with two values is an error, not the last one taken.
	if err := onceflag.Parse(fs, args, "component", "override"); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, fs, flag.ErrHelp
		}
		return nil, fs, &usageError{msg: err.Error()}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if fs.NArg() > 0 {
		return nil, fs, &usageError{msg: fmt.Sprintf("unexpected argument %q (quote the -title or -body text)", fs.Arg(0))}
	}
	if o.timeout < 0 {
		return nil, fs, badFlag("timeout", "negative")
	}
	if why := credvalue.NotAPath(o.config); why != "" {
		// Not quoted: a URL's user and password would show in the error
		// of opening it as a file.
		return nil, fs, badFlag("config", "%s: give the configuration file's path", why)
	}
	if err := o.checkModes(); err != nil {
		return nil, fs, err
	}
	if err := o.checkUnused(fs); err != nil {
		return nil, fs, err
	}
	if err := o.checkEmpty(fs); err != nil {
		return nil, fs, err
	}
	return o, fs, nil
}

// leaveOut says, for each flag that is an error given empty, what leaving
// it out does. Given empty is most likely "$VAR" of a variable not set,
// and taken as not given it would do something else than asked: -correct
// would post a new update, -state keep no state (the same command again
// posting twice), -config post to the console only. -title and -status say
// "missing"; -body and -advice are checked with the update.
var leaveOut = []onceflag.Optional{
	{Flag: "correct", Then: "to send a new update; to correct one, give its ID as its summary printed it"},
	{Flag: "retract", Then: "to send; to retract an update, give its ID as its summary printed it"},
	{Flag: "state", Then: "for the configuration's state, if any"},
	{Flag: "config", Then: "for the console only"},
	{Flag: "id", Then: "for one derived from the flags"},
	{Flag: "incident", Then: "for a slug of -title"},
	{Flag: "url", Then: "for an update without a link"},
	{Flag: "impact", Then: "for an update without an impact"},
	{Flag: "next", Then: "for an update without a next update time"},
}

// checkEmpty reports every flag of leaveOut given with an empty value.
func (o *options) checkEmpty(fs *flag.FlagSet) error {
	var bad problems
	for _, b := range onceflag.Blanks(fs, leaveOut) {
		bad.add(b.Flag, badFlag(b.Flag, "%s", b.Text))
	}
	return bad.err()
}

// checkModes reports flags that ask for more than one thing at once.
// -dry-run -correct previews a correction: one thing.
func (o *options) checkModes() error {
	var modes []string
	for _, m := range []struct {
		name string
		on   bool
	}{{"-dry-run", o.dryRun}, {"-check", o.check}, {"-correct", o.correct != "" && !o.dryRun}, {"-retract", o.retract != ""}} {
		if m.on {
			modes = append(modes, m.name)
		}
	}
	if len(modes) > 1 {
		return &usageError{msg: strings.Join(modes, " and ") + ": use one"}
	}
	return nil
}

// updateOnly are the flags that describe the update: -check and -retract
// use none of them.
var updateOnly = []string{"title", "status", "impact", "body", "advice", "url", "next",
	"component", "override", "incident", "id"}

// checkUnused reports every flag of updateOnly given with -check or
// -retract, empty or not: it would do nothing, and a user who gives it
// (-retract ID -title "New title") expects it to.
func (o *options) checkUnused(fs *flag.FlagSet) error {
	mode := ""
	switch {
	case o.check:
		mode = "-check"
	case o.retract != "":
		mode = "-retract"
	default:
		return nil
	}
	var bad problems
	for _, name := range updateOnly {
		if o.set[name] {
			bad.add(name, badFlag(name, "not used by %s (leave it out)", mode))
		}
	}
	return bad.err()
}

// update builds the Update the flags describe. now is the time -next is
// relative to; stdin is read for "-body -". Its error names every flag at
// fault, so that one run shows them all.
func (o *options) update(stdin io.Reader, now time.Time) (broadcast.Update, error) {
	// The text of a file saved by a Windows editor ("$(cat body.txt)")
	// starts with a byte-order mark, no part of it, as "-body -" drops it.
	o.body, o.advice = strings.TrimPrefix(o.body, byteOrderMark), strings.TrimPrefix(o.advice, byteOrderMark)
	u := broadcast.Update{ID: o.id, IncidentID: o.incident, Title: o.title, URL: o.url, Advice: o.advice,
		Status: broadcast.Status(o.status), Impact: broadcast.Impact(o.impact)}
	var bad problems
	// Given but empty (-title "$TITLE" of a variable not set) is said so,
	// as for the other flags: "missing" would read as the flag left out.
	switch {
	case strings.TrimSpace(o.title) == "" && o.set["title"]:
		bad.add("title", badFlag("title", "empty (give the incident's title)"))
	case strings.TrimSpace(o.title) == "":
		bad.add("title", badFlag("title", "missing"))
	}
	switch {
	case o.status == "" && o.set["status"]:
		bad.add("status", badFlag("status", "empty (want %s)", strings.Join(statusNames, ", ")))
	case o.status == "":
		bad.add("status", badFlag("status", "missing (want %s)", strings.Join(statusNames, ", ")))
	case !u.Status.Valid():
		bad.add("status", badFlag("status", "unknown value %q (want %s)", o.status, strings.Join(statusNames, ", ")))
	}
	if o.impact != "" && !u.Impact.Valid() {
		bad.add("impact", badFlag("impact", "unknown value %q (want %s)", o.impact, strings.Join(impactNames, ", ")))
	}
	// Given but empty, most likely -body "$BODY" of a variable not set:
	// an update without its text would go out everywhere.
	for _, f := range []struct{ name, v, what string }{{"body", o.body, "text"}, {"advice", o.advice, "advice"}} {
		if o.set[f.name] && strings.TrimSpace(f.v) == "" {
			bad.add(f.name, badFlag(f.name, "empty (leave -%s out for an update without %s)", f.name, f.what))
		}
	}
	if strings.TrimSpace(o.advice) == "-" {
		// Only -body - reads standard input: a "-" would go out as the
		// advice everywhere.
		bad.add("advice", badFlag("advice", `"-" (only -body - reads standard input): give the advice's text`))
	}
	var err error
	if !bad.has("body") {
		u.Body, err = readBody(o.body, stdin)
		bad.add("body", err)
	}
	u.Components, err = parseComponents(o.components)
	bad.add("component", err)
	u.Overrides, err = parseOverrides(o.overrides)
	bad.add("override", err)
	switch {
	case o.next != "" && u.Status.Closes():
		// The update ends the incident or maintenance: Clean would drop
		// its NextUpdate, and the -next typed with it, without a word.
		bad.add("next", badFlag("next", "a %s update promises no next update (leave -next out)", u.Status))
	case o.next != "":
		u.NextUpdate, err = parseNext(o.next, now)
		if err == nil && isClock(o.next) {
			err = checkLocalZone(o.next, now.Location())
		}
		bad.add("next", err)
	}
	u.Corrects = o.correct // part of the ID: a correction is not the update the same flags sent
	if u.ID == "" {
		typed := u
		typed.Overrides = typedOverrides(o.overrides, u.Overrides)
		u.ID = typedID(typed, o.next)
	}
	// Validated as sent now, the Time a send gives it: the library's rule
	// for how far ahead -next may be measures from the update's Time.
	probe := u
	probe.Time = now.UTC().Truncate(time.Second)
	probe.Overrides = splitOnce(u.Overrides)
	for _, fe := range broadcast.FieldErrors(probe.Validate()) {
		flag, msg := flagProblem(fe, o.components)
		bad.add(flag, &usageError{msg: msg})
	}
	return u, bad.err()
}

// problems gathers the flags at fault, one error each, in the order
// found.
type problems struct {
	flags []string
	msgs  []string
}

// add adds err, the error of flag, unless it is nil or flag is at fault
// already.
func (p *problems) add(flag string, err error) {
	if err != nil && !p.has(flag) {
		p.flags, p.msgs = append(p.flags, flag), append(p.msgs, err.Error())
	}
}

// has reports whether flag is at fault.
func (p *problems) has(flag string) bool { return slices.Contains(p.flags, flag) }

// err returns one error naming every flag at fault; nil for none.
func (p *problems) err() error {
	if len(p.msgs) == 0 {
		return nil
	}
	return &usageError{msg: strings.Join(p.msgs, "; ")}
}

// typedID derives the ID of u from the flags as the operator typed them,
// so that re-running a command is the same update: -next counts by its
// text ("+30m", "14:30"), not by the time it resolves to, which moves with
// the clock. Every other field of u holds what was typed (the body read
// from standard input included; the overrides as typedOverrides counts
// them). Without -next the ID is the one broadcast.Update.WithDefaults
// derives; with it, "u_" and 32 hex digits of a SHA-256 over that ID and
// the -next text, the same form.
func typedID(u broadcast.Update, next string) string {
	u.ID, u.NextUpdate = "", time.Time{}
	id := u.WithDefaults(time.Time{}).ID
	if next == "" {
		return id
	}
	h := sha256.New()
	for _, f := range []string{"outagecast-announce-next-v1", id, next} {
		fmt.Fprintf(h, "%d:%s;", len(f), f) // length-prefixed: no two lists hash alike
	}
	return "u_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// typedOverrides returns the -override flags given, list, as the ID
// counts them; parsed is parseOverrides's map of them, which splits each
// at its first "=" and keeps the last of two that share the name before
// it: the overrides of channels "ops=eu" and "ops=fr" are both "ops" there
// (checkOverrides splits them by the channels configured, which are no
// part of the ID). A name no other flag shares counts as in parsed, so
// that IDs stay what they were; the texts of a name that two or more
// flags share count all, sorted, each under the name, a NUL and its place
// in that order, which no channel's name holds (broadcast.CheckName
// refuses control characters): a changed text of any of them is another
// update, and the same flags in another order the same one.
func typedOverrides(list []string, parsed map[string]string) map[string]string {
	texts := map[string][]string{}
	for _, s := range list {
		name, text, _ := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		texts[name] = append(texts[name], text)
	}
	if len(texts) == len(list) {
		return parsed
	}
	out := make(map[string]string, len(list))
	for name, ts := range texts {
		if len(ts) == 1 {
			out[name] = ts[0]
			continue
		}
		slices.Sort(ts)
		for i, t := range ts {
			out[fmt.Sprintf("%s\x00%d", name, i)] = t
		}
	}
	return out
}

// maxStdin bounds "-body -": the longest body, 4 bytes a character.
const maxStdin = 4 * broadcast.MaxBodyLength

// readStdin reads "-body -" from stdin until it ends or ctx is done (Ctrl-C
// while the input is still being typed or piped), and returns a reader of
// what it read, and of its error; nil when ctx ended first.
//
// When ctx ends first, the read under way is stopped by a read deadline in
// the past where stdin takes one (a socket, a pipe os.Pipe made: what tests
// pass), and waited for, so that no goroutine outlives the run; the
// deadline is then cleared. os.Stdin of a terminal, or of a pipe a shell
// made, takes no deadline (its descriptor is in blocking mode, and setting
// it non-blocking would change it for the shell that shares it too): that
// read is left to end with the program, which exits once run returns.
func readStdin(ctx context.Context, stdin io.Reader) io.Reader {
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
		done <- read{data, err}
	}()
	select {
	case r := <-done:
		return io.MultiReader(bytes.NewReader(r.data), errReader{r.err})
	case <-ctx.Done():
		if d, ok := stdin.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Unix(1, 0)) == nil {
			<-done
			_ = d.SetReadDeadline(time.Time{})
		}
		return nil
	}
}

// errReader returns err, or io.EOF when it is nil, from every Read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// byteOrderMark starts a UTF-8 text file saved by some Windows editors.
const byteOrderMark = "\uFEFF"

func readBody(v string, stdin io.Reader) (string, error) {
	if v != "-" {
		return v, nil
	}
	if stdin == nil {
		return "", badFlag("body", "no standard input")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return "", badFlag("body", "read standard input: %v", err)
	}
	if len(data) > maxStdin {
		return "", badFlag("body", "standard input longer than %d bytes", maxStdin)
	}
	if !utf8.Valid(data) {
		return "", badFlag("body", "standard input is not UTF-8 text")
	}
	// A file saved by a Windows editor starts with a byte-order mark, no
	// part of the text (and of the update's ID).
	body := strings.TrimRight(strings.TrimPrefix(string(data), byteOrderMark), "\r\n")
	if strings.TrimSpace(body) == "" {
		// Most likely the command before the pipe failed: an update
		// without its text would go out everywhere.
		return "", badFlag("body", "standard input is empty (leave -body out for an update without text)")
	}
	return body, nil
}

func parseComponents(list []string) ([]broadcast.Component, error) {
	var out []broadcast.Component
	for _, s := range list {
		i := strings.LastIndexByte(s, '=')
		if i < 0 {
			return nil, badFlag("component", "%q: want NAME=STATUS, as CDN=major_outage", s)
		}
		c := broadcast.Component{Name: strings.TrimSpace(s[:i]), Status: broadcast.ComponentStatus(strings.TrimSpace(s[i+1:]))}
		if c.Name == "" {
			return nil, badFlag("component", "%q: missing name", s)
		}
		if listed(c.Name) {
			return nil, badFlag("component", "%q: a list; give each component its own -component, "+
				"as -component CDN=major_outage -component API=degraded_performance", s)
		}
		if !c.Status.Valid() {
			return nil, badFlag("component", "%q: unknown status %q (want %s)", s, c.Status, strings.Join(componentNames, ", "))
		}
		if i := slices.IndexFunc(out, func(o broadcast.Component) bool {
			return broadcast.ComponentKey(o.Name) == broadcast.ComponentKey(c.Name)
		}); i >= 0 {
			return nil, badFlag("component", "%q: %s given twice", s, out[i].Name)
		}
		out = append(out, c)
	}
	return out, nil
}

// listed reports whether name, a -component's text before its last "=",
// holds another component's NAME=STATUS: a list typed into one flag
// ("CDN=major_outage,API=degraded_performance"), which would go out as one
// component named "CDN=major_outage,API". A name may hold "=" or ",".
func listed(name string) bool {
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if i := strings.LastIndexByte(part, '='); i >= 0 && broadcast.ComponentStatus(strings.ToLower(part[i+1:])).Valid() {
			return true
		}
	}
	return false
}

func parseOverrides(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, s := range list {
		name, text, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		const want = `want CHANNEL=TEXT, as -override "x=Short text for X"`
		switch {
		case !ok:
			return nil, badFlag("override", `given %s, which has no "=": %s`, quotecut.Quote(s), want)
		case name == "":
			return nil, badFlag("override", `given %s, which names no channel before "=": %s`, quotecut.Quote(s), want)
		case (strings.TrimSpace(text) == "" || out[name] != "") && broadcast.CheckName(name) != nil:
			// The errors below print name as typed: one that is no
			// channel's name (a control character) is quoted, with
			// what Validate would say of it.
			return nil, badFlag("override", "channel name %s: %v", quotecut.Quote(name), broadcast.CheckName(name))
		case strings.TrimSpace(text) == "":
			return nil, badFlag("override", "%s: empty text", name)
		}
		// Split at the first "=" until the channels are known: a channel's
		// name may hold one ("ops=eu"), and checkOverrides splits each
		// again by the names configured (see there). Two with no other
		// "=" name one channel.
		if prev, dup := out[name]; dup && !strings.Contains(prev+text, "=") {
			return nil, badFlag("override", "%s: given twice", name)
		}
		out[name] = text
	}
	return out, nil
}

// splitOnce returns the overrides of parsed, parseOverrides's map, whose
// text holds no "=": the one split of their flag, so its name is the
// channel's. Of one whose text holds "=" the channel's name may hold the
// rest ("ops=eu=…" is channel "ops=eu"'s, or "ops"'s), and another flag
// may have replaced it (parseOverrides keeps the last): its text is
// checked once checkOverrides has split it by the channels configured,
// as the update is sent, where its error names its channel and counts
// its text alone.
func splitOnce(parsed map[string]string) map[string]string {
	var out map[string]string
	for name, text := range parsed {
		if !strings.Contains(text, "=") {
			if out == nil {
				out = make(map[string]string, len(parsed))
			}
			out[name] = text
		}
	}
	return out
}

// parseNext reads -next: "+30m", a clock time "14:30" in now's time zone
// (today, or tomorrow when it has passed), or RFC 3339 (its "t" and "z"
// in lower case too). The result is UTC.
func parseNext(s string, now time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil && durationSyntax.MatchString(rest) {
			// Written as a duration, but beyond time.Duration (292 years).
			return time.Time{}, badFlag("next", "%q: too large a duration, more than %d days after now (+%s, "+
				"broadcast.MaxNextUpdateAhead), the furthest a next update may be promised: a duration mistyped?",
				s, broadcast.MaxNextUpdateAhead/(24*time.Hour), strings.TrimSuffix(broadcast.MaxNextUpdateAhead.String(), "0m0s"))
		}
		if err != nil || d <= 0 {
			return time.Time{}, badFlag("next", "%q: want a positive duration after +, as +30m or +1h30m", s)
		}
		return now.Add(d).UTC().Truncate(time.Second), nil
	}
	if c, err := time.Parse("15:04", s); err == nil {
		y, m, d := now.Date()
		t := time.Date(y, m, d, c.Hour(), c.Minute(), 0, 0, now.Location())
		if !t.After(now) {
			t = time.Date(y, m, d+1, c.Hour(), c.Minute(), 0, 0, now.Location())
		}
		return t.UTC(), nil
	}
	// RFC 3339 (section 5.6) allows "t" and "z" for "T" and "Z"; its
	// other characters are digits and signs, which ToUpper keeps.
	t, err := time.Parse(time.RFC3339, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, badFlag("next", "%q: want +DURATION (+30m), a local clock time (14:30) or RFC 3339 (2025-01-02T15:04:05Z)", s)
	}
	if !t.After(now) {
		return time.Time{}, badFlag("next", "%q: in the past", s)
	}
	return t.UTC(), nil
}

// durationSyntax matches what time.ParseDuration reads, unsigned: a
// string it matches that ParseDuration refuses is too large.
var durationSyntax = regexp.MustCompile(`^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`)

// isClock reports whether -next is a clock time ("14:30"), the one form
// read in the local time zone.
func isClock(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil
}

// checkLocalZone refuses the clock time s of -next when loc, the local
// time zone, is Go's fallback for a TZ it could not load: Go then takes
// local time as UTC without a word, and the update would promise its next
// one hours off. TZ unset, empty or UTC is no fallback, and a TZ that
// means UTC in the POSIX form Go does not read ("UTC0") is UTC as Go
// takes it; after a ":" too, which the GNU C Library ignores (":UTC0"),
// as Go does.
func checkLocalZone(s string, loc *time.Location) error {
	tz, ok := os.LookupEnv("TZ")
	name := strings.TrimPrefix(tz, ":")
	if !ok || name == "" || name == "UTC" || loc.String() != "UTC" || posixUTC.MatchString(name) {
		return nil
	}
	return badFlag("next", "%q is a local clock time, but TZ=%q names no time zone known here, and local time "+
		"would be taken as UTC; set TZ to a zone such as Europe/Berlin (or unset it), or give -next as +DURATION or RFC 3339", s, tz)
}

// posixUTC matches a TZ in the POSIX form "std offset" (no summer time)
// of offset 0: a name of three or more letters, or one in angle brackets,
// then the hours, signed or not, and optionally ":" minutes and ":"
// seconds, each all zeros, of as many digits as Go's time package reads in
// a TZ string (its tzset: the hours of any number of digits, minutes and
// seconds of one or more): "UTC0", "GMT+0", "<+00>0", "UTC000", "UTC0:0".
// Go loads no zone of that name, and takes local time as UTC, as it is.
var posixUTC = regexp.MustCompile(`^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)[+-]?0+(?::0+(?::0+)?)?$`)

// componentField matches a field of one of Update.Components, as
// Validate names it: "Components[1].Name"; componentRef one named in a
// problem ("listed already as Components[0]").
var (
	componentField = regexp.MustCompile(`^Components\[([0-9]+)\](?:\.([A-Za-z]+))?$`)
	componentRef   = regexp.MustCompile(`Components\[([0-9]+)\]`)
)

// componentProblem returns fe's problem, of one of Update.Components, as
// the -component flag's that gave it, components[i]:
// -component: "CDN=major_outage": name: missing. ok is false when fe is
// of no one flag of components.
func componentProblem(fe *broadcast.FieldError, components []string) (msg string, ok bool) {
	m := componentField.FindStringSubmatch(fe.Field)
	if m == nil {
		return "", false
	}
	given := func(index string) (string, bool) {
		i, err := strconv.Atoi(index)
		if err != nil || i >= len(components) {
			return "", false
		}
		return quotecut.Quote(components[i]), true
	}
	value, ok := given(m[1])
	if !ok {
		return "", false
	}
	problem := componentRef.ReplaceAllStringFunc(fe.Problem, func(ref string) string {
		if v, ok := given(componentRef.FindStringSubmatch(ref)[1]); ok {
			return "-component " + v
		}
		return ref
	})
	if m[2] != "" {
		problem = strings.ToLower(m[2]) + ": " + problem
	}
	return "-component: " + value + ": " + problem, true
}

// updateFlags names the flag of each Update field, for Validate's errors.
var updateFlags = map[string]string{
	"ID": "id", "IncidentID": "incident", "Title": "title", "Status": "status", "Impact": "impact",
	"Body": "body", "Advice": "advice", "URL": "url", "Components": "component", "Overrides": "override",
	"Corrects": "correct", "original": "correct", // Correct's argument
	"updateID":   "retract", // Retract's argument
	"NextUpdate": "next",
}

// validationError turns "broadcast: invalid update: Title: missing" into
// "-title: missing", each value at fault (see broadcast.FieldErrors).
func validationError(err error) error {
	fes := broadcast.FieldErrors(err)
	if len(fes) == 0 {
		return &usageError{msg: strings.TrimPrefix(err.Error(), broadcast.ErrInvalidUpdate.Error()+": ")}
	}
	msgs := make([]string, len(fes))
	for i, fe := range fes {
		_, msgs[i] = flagProblem(fe, nil)
	}
	return &usageError{msg: strings.Join(msgs, "; ")}
}

// flagProblem returns the flag fe's field comes from and fe's problem as
// that flag's: "-title: missing"; of a field no flag gives, the field
// and "Time: …". components are the -component flags as given, one
// Update.Components entry each, so that the problem of one names it
// (nil when unknown).
func flagProblem(fe *broadcast.FieldError, components []string) (flag, msg string) {
	base, _, _ := strings.Cut(fe.Field, "[")
	name, ok := updateFlags[base]
	if !ok {
		return fe.Field, fe.Field + ": " + fe.Problem
	}
	if base == "Components" {
		if msg, ok := componentProblem(fe, components); ok {
			return name, msg
		}
	}
	// The problem may name another field the Go way ("give the
	// correction the IncidentID of …"): the flag, as typed.
	rest := fe.Problem
	for f, fl := range updateFlags {
		if f == "ID" && (name == "correct" || name == "retract") {
			continue // "check the ID": the flag's own value, not -id
		}
		rest = strings.ReplaceAll(rest, " "+f+" ", " -"+fl+" ")
	}
	// Given empty, a flag is an error: left out, it is not.
	rest = strings.ReplaceAll(rest, "leave it empty", "leave -"+name+" out")
	if base == "Overrides" {
		// -override repeats: its channel (`Overrides["x"]`) names the one
		// at fault, as "-override: x: given twice" does.
		if channel, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(fe.Field, base+"["), "]")); err == nil {
			rest = channel + ": " + rest
		}
	}
	if name == "next" {
		rest = strings.ReplaceAll(rest, "after the update's Time", "after now") // see update
	}
	return name, "-" + name + ": " + rest
}
