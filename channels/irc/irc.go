// Package irc posts incident updates to IRC channels.
//
// A Channel connects to one server (TLS with certificate verification unless
// told otherwise), registers (server password, SASL PLAIN through IRCv3 CAP
// negotiation, an alternate nick when the nick is in use), joins each
// configured channel (with its key, if any), sends the update as PRIVMSG (or
// NOTICE) lines and leaves with QUIT. By default every Send uses its own
// connection; Config.Persistent keeps one connection between updates and
// reconnects when it drops.
//
// The text is the channel's override (Update.Overrides[Config.Name]) or the
// "short" template (see Config.Template), made safe and split by Split:
// control characters are removed, so no input can become an IRC command, and
// every line fits the 512-byte IRC limit with room for the prefix the server
// adds when it relays the line (see Preview's Limit). Lines go out through a
// token bucket (golang.org/x/time/rate: a burst of 4, then one every 2
// seconds by default) that keeps the bot under the server's flood limit;
// every wait for it ends when ctx does.
//
// IRC does not acknowledge messages. After the lines for a channel, Send
// sends a PING and waits for its PONG: the server answers in order, so any
// refusal of the lines (404 cannot send to channel) arrives before the PONG,
// and a PONG without one means the server relayed them all.
//
// The connection is built on the message parser and line reader of
// github.com/ergochat/irc-go rather than on its ircevent client, which is
// made for long-lived bots: its reader goroutine is not joined when a
// connection ends, its CAP wait is fixed at 15 s and it tries new nicks
// without end. Here each connection has exactly one goroutine, stopped
// before Send returns, and every wait honours ctx.
//
// # Limits
//
// At most Config.MaxLines lines (5 by default) go to each channel; a longer
// text is shortened first (the body before the title, the URL kept whole).
// A URL is never split across lines, where it would no longer work: one that
// does not fit beside the text around it gets a line of its own, and one
// longer than a line (see Preview's Limit: 374 bytes for PRIVMSG to a
// four-letter channel) makes Send fail permanently before it connects.
// The pacing makes a Send last roughly (lines+2 per channel - Burst) ×
// Interval: with the defaults, 6 s for one channel and 5 lines, 34 s for
// three; on a persistent connection, a Send soon after another has less of
// the burst left. An attempt cut short by its deadline would be retried and
// post its lines twice, so when ctx has a deadline that leaves less than the
// pacing needs plus 3 s (connecting, registering), Send fails permanently
// before connecting, with a *PacingError that says how long it needs. Then
// raise broadcast.Options.AttemptTimeout, lower Config.MaxLines, post to
// fewer Config.Channels, or raise Config.Burst or lower Config.Interval
// within what the server allows. NOTICE failures are silent on most servers
// (they send no error replies to NOTICE). Only SASL PLAIN is supported, and the server's CASEMAPPING is
// taken to be rfc1459.
//
// # Errors
//
// A configuration error from New names the field ("irc: Config.Nick:
// missing"). Send fails at once, permanently, when the text holds a URL
// longer than a line, or when ctx's deadline leaves less time than the
// pacing needs (a *PacingError; see # Limits). Send and Check return errors that wrap a *ReplyError when the
// server refused something. These are permanent: a wrong server password
// (464, or ngIRCd's bare "ERROR :Access denied: Bad password?") or a ban
// (465), a failed SASL login (904, or a server without SASL), an
// erroneous nick (432), a channel that cannot be joined (471 full, 473
// invite-only, 474 banned, 475 bad key, 403, 405, 476, 477, 489) or posted to
// (404, 442, a KICK), a certificate that does not verify. Transient: refused
// connections, timeouts, a lost connection, 437 (temporarily unavailable),
// every alternate nick in use. With a Ledger, each IRC channel is a target:
// a channel that got the lines (its PONG came) is marked delivered and one
// refused for good is marked failed, with an error that names the channel
// and the numeric, as soon as each is known, so a retry goes only to the
// others. Passwords and
// channel keys never appear in an error or a printed Config or Channel.
package irc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// TLSMode says whether the connection is encrypted.
type TLSMode int

const (
	// TLSOn, the zero value, connects with TLS and verifies the server's
	// certificate against the system roots or Config.TLSConfig.RootCAs.
	TLSOn TLSMode = iota
	// TLSOff connects in plaintext. Passwords may then be sent only to a
	// loopback address.
	TLSOff
)

// String returns "on" or "off".
func (m TLSMode) String() string {
	switch m {
	case TLSOn:
		return "on"
	case TLSOff:
		return "off"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// Config configures a Channel. Its zero fields take the documented defaults.
// Printing, logging or encoding a Config shows REDACTED in place of the
// passwords (redact.Secret) and the channel keys (see ChannelList).
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its
	// Update.Overrides text. Default "irc".
	Name string
	// Server is the server's host:port, as "irc.libera.chat:6697". Required.
	Server string
	// TLS is TLSOn (the zero value) or TLSOff.
	TLS TLSMode
	// TLSConfig customises TLS (RootCAs for a private CA, client
	// certificates). It is cloned; ServerName defaults to Server's host.
	TLSConfig *tls.Config
	// Nick is the bot's nickname. Required.
	Nick string
	// User is the user name (ident). Default: Nick in lower case.
	User string
	// RealName is the "real name" (GECOS). Default "outagecast".
	RealName string
	// Password is the server password, sent with PASS. Optional.
	Password redact.Secret
	// SASLUser and SASLPassword log in with SASL PLAIN before registration
	// completes. Both or neither.
	SASLUser     string
	SASLPassword redact.Secret
	// Channels are the IRC channels to post to, as "#ops" or "#ops key".
	// A []string converts to it. Required.
	Channels ChannelList
	// Notice sends NOTICE instead of PRIVMSG, the convention for bots.
	Notice bool
	// Templates holds the template to render. Default templates.Default().
	Templates *templates.Set
	// Template names the template rendered for an update. Default "short":
	// one paragraph, wrapped into lines by Split. "text" keeps the line
	// breaks of the body, one IRC line (at least) for each.
	Template string
	// MaxLines is the most lines posted to each channel. Default 5.
	MaxLines int
	// Burst and Interval pace the lines: Burst lines at once, then one
	// every Interval. Default 4 and 2s, within what common servers allow.
	Burst    int
	Interval time.Duration
	// Timeout bounds connecting and each wait for the server's answer
	// (registration, JOIN, PONG). Default 30s.
	Timeout time.Duration
	// Persistent keeps the connection open between Sends and reconnects
	// when it drops. Close closes it.
	Persistent bool
}

// Channel posts updates to IRC channels. It is safe for concurrent use:
// Sends take turns, so that one bot never holds two connections (two nicks)
// at once.
type Channel struct {
	s    *settings
	turn chan struct{} // holding a value in it: the right to Send
	kept *kept         // nil unless persistent
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
)

// ErrClosed is returned by Send on a persistent Channel after Close.
var ErrClosed = errors.New("irc: channel closed")

// New validates cfg and returns a Channel. It does no I/O.
func New(cfg Config) (*Channel, error) {
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Channel{s: s, turn: make(chan struct{}, 1)}
	if s.persistent {
		c.kept = &kept{}
	}
	return c, nil
}

// Name returns Config.Name.
func (c *Channel) Name() string { return c.s.name }

// Send posts m.Update to every IRC channel its Ledger does not hold as
// done: join, lines, PING and PONG, then QUIT unless persistent. Each IRC
// channel is a Ledger target, named as in Config.Channels without its key
// ("#ops"); broadcast.NewFanout does the bookkeeping, so Send's error
// follows broadcast.Fanout.Err: nil when the channels not refused for good
// got the lines (now or in an earlier attempt), a transient
// *broadcast.TargetsError when some are still pending, a permanent one when
// every channel was refused. A failure of the connection itself (see #
// Errors) is Send's error as is.
//
// The Receipt has no ID (IRC has none); its Meta holds "channels", the
// channels posted to by this call, comma-separated, "lines", the lines each
// got, and "failed", the channels the Ledger holds as refused for good (in
// this call or an earlier one), if any.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	estimate, err := c.estimate(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	if err := c.take(ctx); err != nil {
		return broadcast.Receipt{}, err
	}
	defer c.give()
	f := broadcast.NewFanout(m, c.s.names)
	lines := 0
	if todo := f.Todo(); len(todo) > 0 {
		if err := c.fits(ctx, len(todo), estimate); err != nil {
			return broadcast.Receipt{}, err
		}
		job := func(ss *session) (err error) {
			lines, err = ss.deliver(f, todo, m.Update)
			return err
		}
		if c.kept != nil {
			err = c.kept.run(ctx, c.s, job)
		} else {
			err = runOnce(ctx, c.s, job)
		}
		if err != nil {
			return broadcast.Receipt{}, err
		}
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return c.receipt(m.Ledger, f, lines), nil
}

// receipt describes a successful Send.
func (c *Channel) receipt(l broadcast.Ledger, f *broadcast.Fanout, lines int) broadcast.Receipt {
	var posted, failed []string
	for _, i := range f.Delivered() {
		posted = append(posted, c.s.names[i])
	}
	meta := map[string]string{"channels": strings.Join(posted, ",")}
	if len(posted) > 0 {
		meta["lines"] = strconv.Itoa(lines)
	}
	for _, name := range c.s.names {
		if l == nil {
			break
		}
		if _, failure := l.Done(name); failure != "" {
			failed = append(failed, name)
		}
	}
	if len(failed) > 0 {
		meta["failed"] = strings.Join(failed, ",")
	}
	return broadcast.Receipt{Channel: c.s.name, Time: time.Now().UTC(), Meta: meta}
}

// Preview returns the lines Send would post to each channel, joined with
// "\n". Length is the longest line and Limit the bytes a line may have.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	lines, err := c.render(u)
	if err != nil {
		return broadcast.Preview{}, err
	}
	longest := 0
	for _, l := range lines {
		longest = max(longest, len(l))
	}
	return broadcast.Preview{
		Channel: c.s.name,
		Text:    strings.Join(lines, "\n"),
		Length:  longest,
		Limit:   c.s.budget,
		Unit:    "bytes per line",
	}, nil
}

// Check connects, registers (password, SASL, nick) and quits, without
// joining or posting. It always uses a connection of its own.
func (c *Channel) Check(ctx context.Context) error {
	return runOnce(ctx, c.s, func(*session) error { return nil })
}

// Close closes the persistent connection, if any, after the Send in
// progress; later Sends fail with ErrClosed. Without Config.Persistent it
// does nothing.
func (c *Channel) Close() error {
	if c.kept != nil {
		c.turn <- struct{}{}
		defer c.give()
		c.kept.close()
	}
	return nil
}

// take waits for the turn to Send.
func (c *Channel) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("irc: %w", err)
	}
	select {
	case c.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("irc: %w", ctx.Err())
	}
}

func (c *Channel) give() { <-c.turn }

// render returns the lines of u for the conservative line budget: those of
// Preview.
func (c *Channel) render(u broadcast.Update) ([]string, error) {
	return c.s.lines(u, c.s.budget)
}

// estimate returns how many lines Send will post for u to each channel,
// before it connects, for the pacing check: as many as with the
// conservative budget or, when u does not fit that (a long URL), with the
// shortest prefix the server could give. A text that does not fit even that
// fails here, permanently, before connecting; one that does may still fail
// once the server has shown the prefix, before anything is posted.
func (c *Channel) estimate(u broadcast.Update) (int, error) {
	lines, err := c.render(u)
	var fe *fitError
	if errors.As(err, &fe) {
		lines, err = c.s.lines(u, c.s.bestBudget)
		if errors.As(err, &fe) {
			fe.atMost = true
		}
	}
	return len(lines), err
}
