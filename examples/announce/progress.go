package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/outagecast/outagecast/broadcast"
)

// progress shows each channel's delivery on standard error as the
// Broadcaster reports it: on a terminal one line per channel, redrawn in
// place; otherwise one plain line per event.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	live   bool                              // redraw in place
	width  int                               // of the terminal, for cutting lines
	show   func(channel, text string) string // an error's text as the user sees it
	names  []string
	index  map[string]int
	states []string
	pad    int
	drawn  bool
	// retracting: the events are of a retraction, whose skip means
	// nothing to delete, and whose unsupported channel cannot delete.
	retracting bool
	// retracted are the channels on which the update being sent was
	// retracted: they skip it or fail, saying so.
	retracted map[string]bool
	// deadline is when -timeout ends the run; zero: no -timeout.
	deadline time.Time
}

func newProgress(w io.Writer, live bool, names []string, show func(channel, text string) string) *progress {
	p := &progress{w: w, live: live, width: terminalWidth(w), show: show, names: names,
		index: make(map[string]int, len(names)), states: make([]string, len(names))}
	for i, n := range names {
		p.index[n] = i
		p.states[i] = "waiting"
		p.pad = max(p.pad, utf8.RuneCountInString(n))
	}
	return p
}

// isTerminal reports whether w is a character device, as a terminal is.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readsTerminal reports whether r is a terminal (not merely a character
// device, as /dev/null is).
func readsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isTTY(f)
}

// terminalWidth returns the width in columns of the terminal w writes to,
// as the terminal says, else $COLUMNS (which shells seldom export), else
// 80. A line redrawn in place must not wrap: moving up to redraw another
// would land on the wrong line.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if n := columns(f); n > 0 { // narrow too: a split pane
			return n
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		return n
	}
	return 80
}

// terminalHeight returns the height in rows of the terminal w writes to,
// as the terminal says; 0 when unknown.
func terminalHeight(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		return rows(f)
	}
	return 0
}

// event is the Broadcaster's OnEvent hook.
func (p *progress) event(e broadcast.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.index[e.Channel]
	if !ok {
		return
	}
	p.states[i] = describe(e, p.show, p.retracting, p.retracted[e.Channel], p.deadline)
	if !p.live {
		fmt.Fprintf(p.w, "%s: %s\n", e.Channel, p.states[i])
		return
	}
	if !p.drawn {
		p.begin()
		return
	}
	up := len(p.names) - i
	// Up to the channel's line, clear it, write it, back down.
	fmt.Fprintf(p.w, "\x1b[%dA\r\x1b[2K%s\x1b[%dB\r", up, p.line(i), up)
}

// begin draws every channel's line, in live mode.
func (p *progress) begin() {
	if !p.live || p.drawn {
		return
	}
	p.drawn = true
	for i := range p.names {
		fmt.Fprintf(p.w, "%s\n", p.line(i))
	}
}

func (p *progress) line(i int) string {
	s := fmt.Sprintf("  %-*s  %s", p.pad, p.names[i], p.states[i])
	return cut(s, p.width-1)
}

// describe says what an event means for its channel, in one line; gone
// says the update being sent was retracted on the channel, and deadline
// is when -timeout ends the run (zero: never), so that a retry that would
// start after it is not promised.
func describe(e broadcast.Event, show func(channel, text string) string, retracting, gone bool, deadline time.Time) string {
	switch {
	case gone && e.Kind == broadcast.EventSkipped:
		return "retracted: its post was deleted"
	case gone && e.Kind == broadcast.EventFailed:
		return "not posted: retracted before this channel posted it"
	case e.Kind == broadcast.EventFailed && errors.Is(e.Err, broadcast.ErrRetracted):
		return outcomeOriginalRetracted + ": nothing to correct" // a correction of a retracted update
	case retracting && e.Kind == broadcast.EventSkipped:
		return retractNotPosted
	case retracting && e.Kind == broadcast.EventFailed && errors.Is(e.Err, broadcast.ErrNotSupported):
		return retractUnsupported
	}
	// A retraction's attempt deletes, and its receipt's link is of the
	// post just deleted (or of the page it was on): not shown.
	sending, delivered, link := "sending", "delivered", e.Receipt.URL
	if retracting {
		sending, delivered, link = "deleting", "deleted", ""
	}
	switch e.Kind {
	case broadcast.EventAttempt:
		if e.Attempt > 1 {
			return fmt.Sprintf("%s (attempt %d)", sending, e.Attempt)
		}
		return sending
	case broadcast.EventRetry:
		why := oneLine(show(e.Channel, errText(e.Err)))
		if !deadline.IsZero() && !e.Time.Add(e.Delay).Before(deadline) {
			// The Broadcaster waits for the retry, and -timeout ends the
			// wait first: the channel times out.
			return fmt.Sprintf("no retry: -timeout ends in %s, before the next attempt would start: %s",
				formatDuration(deadline.Sub(e.Time)), why)
		}
		return fmt.Sprintf("retrying in %s: %s", formatDuration(e.Delay), why)
	case broadcast.EventDelivered:
		s := delivered
		if e.Edited {
			s = outcomeEdited
		}
		if e.Attempt > 1 {
			s += fmt.Sprintf(" (attempt %d)", e.Attempt)
		}
		if link != "" {
			s += " " + link
		}
		return s
	case broadcast.EventSkipped:
		return "skipped (already delivered)"
	case broadcast.EventSuperseded:
		return "superseded (a newer update of the incident is out)"
	case broadcast.EventNotSelected:
		return `not selected (its "when:" leaves this update out)`
	case broadcast.EventFailed:
		return failed(e, show)
	}
	return string(e.Kind)
}

// failed says how a channel's delivery ended without it: interrupted
// (Ctrl-C), timed out (-timeout; an attempt's own timeout does not match
// context.DeadlineExceeded) or failed, as the summary table does.
func failed(e broadcast.Event, show func(channel, text string) string) string {
	attempts := fmt.Sprintf("%d %s", e.Attempt, plural(e.Attempt, "attempt"))
	switch {
	case errors.Is(e.Err, context.Canceled):
		return "interrupted after " + attempts
	case errors.Is(e.Err, context.DeadlineExceeded):
		return "timed out after " + attempts + ": " + oneLine(show(e.Channel, errText(e.Err)))
	}
	return "failed after " + attempts + ": " + oneLine(show(e.Channel, errText(e.Err)))
}

// errText is err's text; an update a channel refused as invalid (an -id
// that is a correction's) names the flag at fault, as typed (see
// validationError).
func errText(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, broadcast.ErrInvalidUpdate) && len(broadcast.FieldErrors(err)) > 0:
		return validationError(err).Error()
	}
	return err.Error()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// oneLine collapses white space, line breaks included, so that an error
// with a response body stays on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cut shortens s to n terminal columns, ending in "…" (see runeWidth):
// to "…" alone for one column.
func cut(s string, n int) string {
	if n < 1 {
		return s
	}
	cols := 0
	for _, r := range s {
		cols += runeWidth(r)
	}
	if cols <= n {
		return s
	}
	cols = 0
	for i, r := range s {
		if cols+runeWidth(r) > n-1 {
			return s[:i] + "…"
		}
		cols += runeWidth(r)
	}
	return s
}

// runeWidth returns the terminal columns r takes: two for an East Asian
// wide or fullwidth character (CJK, most emoji), none for a combining mark
// or a zero-width joiner, one for any other.
func runeWidth(r rune) int {
	if unicode.Is(unicode.Mn, r) || r == '\u200d' {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// formatDuration rounds d for people: "2s", "1.5s", "250ms", "1m30s",
// "<1ms".
func formatDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d > 0:
		return "<1ms"
	}
	return "0s"
}
