package irc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// setupMargin is the time allowed, on top of the pacing, for connecting,
// registering and waiting for the server's answers, when registration
// takes no detour.
const setupMargin = 3 * time.Second

// regainMargin is the time allowed for taking the nick back with SASL
// (see regain): the answers to WHOIS, to NickServ GHOST and to NICK, a
// second each.
const regainMargin = 3 * time.Second

// setupTime returns the time allowed, on top of the pacing, for connecting and
// registering when registration takes every step it may: setupMargin, the
// waits before asking again for a nick the server holds (see nickAsks)
// and, with SASL, regainMargin.
func setupTime(s *settings) time.Duration {
	d := setupMargin + (nickAsks-1)*nickRetryEvery
	if s.sasl() {
		d += regainMargin
	}
	return d
}

// PacingError is the error of a Send whose lines the flood pacing would hold
// back past ctx's deadline even for one channel (see # Limits in the package
// documentation). Send returns it, marked permanent with broadcast.Permanent,
// before connecting: cut short by the deadline, the attempt would be retried
// and post its lines again. On a persistent connection whose burst the
// Sends before used, where the whole burst would let one channel's lines
// through in time, it is transient instead, marked with
// broadcast.RetryAfter the time the burst takes to come back. So it is
// when one channel's lines would have fit the time the attempt had when
// Send was called, which the wait for the Send or Check before it (they
// take turns) used up: the next attempt posts. Its fields, about every channel still to post
// to, let a program explain the problem in its own terms; find it with
// errors.As.
type PacingError struct {
	Lines    int           // lines to post to each channel
	Channels int           // channels still to post to
	Pacing   time.Duration // how long the pacing holds the lines back
	Need     time.Duration // Pacing plus the time allowed for connecting and registering, every step of it
	Left     time.Duration // time left before ctx's deadline
	// Waited is how long Send waited for the turn of the Send or Check
	// before it, when that wait took the time one channel's lines needed
	// (the error is then transient: the next attempt posts); 0 otherwise.
	Waited time.Duration
}

// Error says what the Send needs and has, and which settings give it more
// time or fewer lines.
func (e *PacingError) Error() string {
	if e.Waited > 0 {
		return fmt.Sprintf("irc: pacing: %d lines to each of %d channels need about %v plus %v to connect and register, "+
			"but the attempt has %v left, after %v waiting for the Send or Check before it on this Channel; "+
			"left for the next attempt, which has its whole time",
			e.Lines, e.Channels, e.Pacing, e.Need-e.Pacing, e.Left.Round(time.Millisecond), e.Waited.Round(time.Millisecond))
	}
	return fmt.Sprintf("irc: pacing: %d lines to each of %d channels need about %v plus %v to connect and register, "+
		"but the attempt has %v left; raise broadcast.Options.AttemptTimeout, lower Config.MaxLines, "+
		"post to fewer Config.Channels, or raise Config.Burst or lower Config.Interval within the server's flood limit",
		e.Lines, e.Channels, e.Pacing, e.Need-e.Pacing, e.Left.Round(time.Millisecond))
}

// pacing returns how long a limiter with tokens tokens now holds back the
// lines of a Send to channels channels of lines lines each: a JOIN, the
// lines and a PING per channel, and a PING that checks a kept connection
// first. A fresh connection has Burst tokens; a kept one may have used some
// in the previous Send.
func pacing(s *settings, channels, lines int, probe bool, tokens float64) time.Duration {
	n := channels * (lines + 2)
	if probe {
		n++
	}
	if s.interval <= 0 || float64(n) <= tokens {
		return 0
	}
	return time.Duration((float64(n) - tokens) * float64(s.interval)).Round(time.Millisecond)
}

// postMargin is the time allowed, on top of the pacing, for the PONG that
// confirms a channel's lines.
const postMargin = time.Second

// fits reports whether n lines to one joined channel, and the PING after
// them, can be sent at the pacing, and the PONG come back, before the
// session's deadline: at once, when the limiter holds the tokens (they
// cannot be cut short then), or in the time left.
func (ss *session) fits(n int) bool {
	deadline, ok := ss.ctx.Deadline()
	if !ok {
		return true
	}
	now := time.Now()
	p := pacing(ss.s, 1, n-1, false, ss.c.limiter.TokensAt(now)) // the JOIN is sent: n lines and a PING
	return p == 0 || now.Add(p+postMargin).Before(deadline)
}

// errPacedOut is the error of a channel left for the next attempt: the
// lines to the channels before it, or a JOIN answered late, took the time
// the attempt had.
var errPacedOut = errors.New("irc: pacing: left for the next attempt: " +
	"the lines to the channels before it, or the wait for its JOIN, take the time this attempt has")

// fitting returns how many of channels channels the pacing lets a Send post
// to, lines lines each, before ctx's deadline, with the time registration
// may take (see setupTime): all of them without a deadline. Channels it leaves
// out are left for the next attempt untouched, where a registration
// slower than allowed for would have them joined, then left for it all
// the same (see session.fits). One channel that fits only when
// registration takes no detour (setupMargin) is posted to: it fails
// permanently, with a *PacingError, only when not even that fits, as no
// later attempt would have more time, and one cut short would be retried
// and post its lines again. On a kept connection whose burst the Sends
// before used, it fails so only when one channel would not fit with the
// whole burst either: else the *PacingError is transient, with
// broadcast.RetryAfter the time the burst takes to come back. Nor when
// one channel would have fit the time the attempt had when Send was
// called, before it waited for its turn: called. The caller holds the
// turn, so the kept connection does not change under it.
func (c *Channel) fitting(ctx context.Context, channels, lines int, called time.Time) (int, error) {
	now := time.Now()
	probe, tokens := false, float64(c.s.burst)
	if c.kept != nil && c.kept.cn != nil {
		probe, tokens = true, c.kept.cn.limiter.TokensAt(now)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return channels, nil
	}
	left, allow := deadline.Sub(now), setupTime(c.s)
	for n := channels; n > 0; n-- {
		p := pacing(c.s, n, lines, probe, tokens)
		if p == 0 || p+allow <= left || n == 1 && p+setupMargin <= left {
			return n, nil
		}
	}
	need := pacing(c.s, channels, lines, probe, tokens)
	err := &PacingError{Lines: lines, Channels: channels, Pacing: need, Need: need + allow, Left: left}
	full := float64(c.s.burst)
	refill := time.Duration((full - tokens) * float64(c.s.interval)).Round(time.Millisecond)
	fitsOne := func(left time.Duration) bool {
		p := pacing(c.s, 1, lines, probe, full)
		return p == 0 || p+setupMargin <= left
	}
	switch {
	case tokens < full && fitsOne(left):
		// The kept connection's burst, spent by the Sends before this
		// one, comes back with time: if one channel fits with it, the
		// next attempt, after that wait, posts.
		return 0, broadcast.RetryAfter(err, refill)
	case fitsOne(deadline.Sub(called)):
		// The attempt had time enough when Send was called: the wait
		// for the turn of the Send or Check before it took it. The
		// next attempt, with its whole time, posts.
		err.Waited = now.Sub(called)
		if tokens < full {
			return 0, broadcast.RetryAfter(err, refill)
		}
		return 0, err
	}
	return 0, broadcast.Permanent(err)
}
