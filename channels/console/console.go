// Package console is a channel that writes rendered updates to an
// io.Writer: standard output by default. It is meant for dry runs, demos,
// examples and tests, and as the smallest complete example of a channel.
//
// Each Send renders the update with one template (default "text"; the
// channel's entry in Update.Overrides wins), then writes it in one Write
// call, followed by a newline, and flushes a Writer that buffers (one
// with a Flush method, as bufio.Writer). Between two messages it writes a
// separator line of dashes. Writes are serialized, so concurrent Sends never
// interleave. Receipts carry a sequence number, "console-1", "console-2"…,
// counted per Channel. The text is what the templates render: the
// Advice, the components, the next update time and the mark of a
// correction show as the template shows them. Only terminal escape
// sequences (colours, cursor moves, OSC titles and links) and other
// control characters but line breaks and tabs are removed from it,
// whichever field or template they came from, also in a Message built by
// hand: an update's text cannot clear the screen, retitle the window or
// hide what was written before it.
//
// # Threading
//
// A console has no threads: Send ignores Message.Thread, and every update
// is a message of its own.
//
// # Corrections and retractions
//
// A console cannot change or take back what it has written (it may be a
// terminal, a pipe or a log file), so a Channel is neither a
// broadcast.Editor nor a broadcast.Retractor. Broadcaster.Correct writes
// the correction as a new message, which the default templates mark as a
// correction, and so does an Update.Overrides text ("Correction: " before
// its first line that shows something, see templates.MarkCorrection);
// Broadcaster.Retract reports broadcast.ErrNotSupported. Writing
// a "Retracted: …" line instead would let Retract report a deletion that
// did not happen, while the update stays on the screen and in the log.
//
// # Limits
//
// The channel has no length limit and delivers to one Writer, with no
// Ledger targets. It checks ctx before writing, but a Write that blocks (a
// pipe nobody reads) cannot be interrupted: Send returns when the Write
// does. A Send waiting for another's Write stops when its ctx is done.
// Messages written by other code to the same Writer may come between two
// of its messages; a message itself is one Write, which most writers keep
// whole. After a Write that failed part way, the next message starts on a
// line of its own, after the separator.
//
// # URL form
//
// For configuration files that list channels as URLs, ParseURL reads and
// Config.URL writes a short form: "console://" (standard output),
// "console://stdout" or "console://stderr", with the query parameter
// template, as in "console://stderr?template=short".
//
// # Errors
//
// New fails on a bad Config, naming the field. Send fails with the
// context's error when ctx is done before the write. A write error is
// transient (a retry may find the disk no longer full), except when the
// writer is gone for good: a broken pipe, a closed file or pipe, a bad file
// descriptor or a permission error are marked broadcast.Permanent. A
// template that fails to render is permanent too. The channel holds no
// secrets.
package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/templates"
)

// Separator is the line written between two messages.
const Separator = "----------------------------------------"

// Config configures a console Channel. The zero value is usable: it writes
// the "text" template to standard output under the name "console".
type Config struct {
	// Name of the channel; default "console". It keys Update.Overrides.
	Name string `yaml:"name" json:"name"`
	// Writer receives the messages; default os.Stdout.
	Writer io.Writer `yaml:"-" json:"-"`
	// Template is the name of the template to render; default "text". Any
	// base name in Templates works: "short", "markdown", "html"…; each
	// update is rendered with the variant of its status, if there is one
	// ("short.resolved"), which is not a name to give here.
	Template string `yaml:"template" json:"template"`
	// Templates to render with; default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
}

// Channel writes updates to an io.Writer. It is safe for concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by console.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name     string
	w        io.Writer
	template string
	set      *templates.Set

	// turn holds a value while a Send writes: it serializes writes and
	// guards sent, and a Send waiting for it stops with its context.
	turn chan struct{}
	sent int // messages written so far
	// written: some bytes reached the Writer; open: the last of them
	// ended no line (a Write failed part way).
	written, open bool
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
)

// New returns a Channel for cfg, filling in the defaults. It does no I/O.
// Its error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	name, err := setup.Name(pkg, cfg.Name, "console", cfg)
	f.Add(err)
	c := &Channel{name: name, w: cfg.Writer, template: cfg.Template, set: cfg.Templates, turn: make(chan struct{}, 1)}
	if c.w == nil {
		c.w = os.Stdout
	}
	if c.template == "" {
		c.template = "text"
	}
	if c.set == nil {
		c.set = templates.Default()
	}
	// A template refused, or a name refused, leaves nothing to try.
	if !f.Add(setup.Template(pkg, "Template", c.set, c.template)) && name != "" {
		f.Add(setup.TryText(pkg, c.set, name, c.template, 0, nil))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Name returns the channel's name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// String describes the channel for logs, without the Writer's contents.
func (c *Channel) String() string {
	if c == nil {
		return "console.Channel(not made)"
	}
	return fmt.Sprintf("console.Channel{Name: %q, Template: %q}", c.name, c.template)
}

// GoString is String, so that %#v does not dump the Writer either.
func (c *Channel) GoString() string {
	if c == nil {
		return "console.Channel(not made)"
	}
	return c.String()
}

// Send writes the rendered update, in one attempt. See the package doc for
// its errors.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("console: send: %w", err)
	}
	text, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(err)
	}
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done(): // another Send's Write may be stuck (a pipe nobody reads)
		return broadcast.Receipt{}, fmt.Errorf("console: send: %w", ctx.Err())
	}
	defer func() { <-c.turn }()
	if err := ctx.Err(); err != nil { // done as the turn came
		return broadcast.Receipt{}, fmt.Errorf("console: send: %w", err)
	}
	var b bytes.Buffer
	if c.open { // a failed Write cut the last line short
		b.WriteByte('\n')
	}
	if c.written {
		b.WriteString(Separator + "\n")
	}
	b.WriteString(text)
	b.WriteByte('\n')
	p := b.Bytes()
	n, err := write(c.w, p)
	if n > 0 {
		c.written, c.open = true, p[n-1] != '\n'
	}
	if err != nil {
		return broadcast.Receipt{}, err
	}
	c.sent++
	return broadcast.Receipt{Channel: c.name, ID: "console-" + strconv.Itoa(c.sent), Time: time.Now()}, nil
}

// Preview returns what Send would write, measured in characters.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Unit: "characters"}
	text, err := c.render(u)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = text, templates.Runes(text)
	return p, nil
}

func (c *Channel) render(u broadcast.Update) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the message shows it"); err != nil {
		return "", fmt.Errorf("console: render: %w", err)
	}
	text, err := c.set.Text(c.name, c.template, u, 0, nil)
	if err != nil {
		return "", fmt.Errorf("console: render: %w", err)
	}
	// The templates clean an update's text, but not an Override of a
	// Message built without broadcast.NewMessage, nor the Status, Impact,
	// component statuses or URL the Broadcaster would have refused, nor
	// what a template of the caller's writes: none of it may drive the
	// terminal.
	return broadcast.Update{Body: text}.Clean().Body, nil
}

// write writes p in one call, flushes a Writer that buffers, and returns
// how many bytes of p were written and the failure, classified.
func write(w io.Writer, p []byte) (int, error) {
	n, err := w.Write(p)
	n = max(0, min(n, len(p))) // a Writer breaking io.Writer's contract
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = flush(w)
	}
	if err == nil {
		return n, nil
	}
	err = fmt.Errorf("console: write: %w", err)
	if gone(err) {
		return n, broadcast.Permanent(err)
	}
	return n, err
}

// flush flushes w when it buffers what it is given (a bufio.Writer, an
// http.ResponseWriter), so that a message reported delivered has reached
// the writer below it.
func flush(w io.Writer) error {
	switch f := w.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// gone reports whether err says the writer cannot take anything any more.
func gone(err error) bool {
	for _, target := range []error{syscall.EPIPE, syscall.EBADF, os.ErrClosed, io.ErrClosedPipe, fs.ErrPermission} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("console.Channel", "console.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
