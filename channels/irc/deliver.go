package irc

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// deliver joins the channels of todo (indexes into the configured
// targets), then takes each as soon as the server has answered its JOIN
// (see nextAnswered), reporting its outcome to f at once: a channel
// refused, or whose JOIN went unanswered, right away, a joined one once it
// got the lines, after their PONG. The lines are rendered for the first
// channel joined, with the budget the server's prefix for us leaves (known
// by then: the echo of a JOIN shows it). It returns the lines each channel
// delivered got, by its index into the configured targets: channels split
// anew after a rename (see below) get another number. An error is the connection's (lost, ctx) or the text's (it does not
// fit): it concerns no channel in particular; the channels reported
// before it, and those the server refused by then, stay recorded.
//
// The lines of a channel that the server relayed in an earlier attempt,
// as f's progress holds them (see keepLines), are not posted again.
//
// earlier reports whether the configured target i, not in todo, got the
// update in an earlier attempt: a channel of todo that the server takes
// for its channel is not posted to again.
func (ss *session) deliver(f *broadcast.Fanout, todo []int, u broadcast.Update, earlier func(i int) bool) (map[int]int, error) {
	// Registration ends at 001; the RPL_ISUPPORT naming the casemapping
	// follows it. Names keyed by another fold would not match the
	// server's answers.
	// A server that does neither within welcomeWait is taken to name no
	// casemapping (the broad fold); its later Sends do not wait again.
	if ok, err := ss.wait(ss.c.caseMappingKnown, min(ss.s.timeout, welcomeWait)); err != nil {
		return nil, err
	} else if !ok {
		ss.c.endWelcome()
	}
	todo, same := ss.sameChannels(todo, earlier, f)
	targets := make([]*target, len(todo))
	for k, i := range todo {
		targets[k] = ss.s.targets[i]
	}
	sts, err := ss.join(targets)
	if err != nil {
		return nil, err
	}
	taken := make([]bool, len(sts))
	reported := make([]bool, len(sts))
	got := make(map[int]int, len(todo))
	report := func(k int) {
		sts[k].err = afterLines(sts[k].err, sts[k].relayedSome(ss.c.echoes()))
		if err := sts[k].err; err != nil && !broadcast.IsPermanent(err) {
			keepLines(f, todo[k], sts[k])
		}
		f.Report(todo[k], sts[k].err) // nil: delivered
		if sts[k].err == nil {
			got[todo[k]] = len(sts[k].lines)
		}
		for _, i := range same[todo[k]] {
			err := sts[k].err
			if err != nil {
				err = fmt.Errorf("irc: %s is %s on this server (CASEMAPPING %v): %w",
					ss.s.targets[i].name, sts[k].t.name, ss.c.caseMapping(), err)
			}
			f.Report(i, err)
			if err == nil {
				got[i] = len(sts[k].lines)
			}
		}
		reported[k] = true
	}
	// lost reports, when the connection failed, the channels the server
	// had refused by then, so that their refusals stay recorded and a rate
	// limit among them keeps its wait (see keepWait), and keeps the lines
	// relayed of a channel cut short. It records whether a line of a
	// channel not delivered may have been relayed (ss.cutAfterLines): one
	// refused or rate-limited after lines of it were (see relayedSome),
	// or one cut short after a line of it was written, whose echo, if
	// any, the connection's end may have lost.
	lost := func(err error) error {
		for k, st := range sts {
			switch {
			case reported[k]:
			case st.err != nil:
				report(k)
			default:
				keepLines(f, todo[k], st)
				ss.cutAfterLines = ss.cutAfterLines || st.posted > 0
			}
			if st.err != nil && st.relayedSome(ss.c.echoes()) {
				ss.cutAfterLines = true
			}
		}
		return err
	}
	var lines []string
	budget := 0 // the bytes of text a line of lines may carry
	for {
		k, err := ss.nextAnswered(sts, taken)
		if err != nil {
			return got, lost(err)
		}
		if k < 0 {
			return got, nil
		}
		taken[k] = true
		st := sts[k]
		if b := ss.budget(); st.err == nil && (lines == nil || b < budget) {
			// The first channel, or the server renamed the bot to a nick
			// longer than the lines leave room for (a server that names
			// no NICKLEN, see relayPrefix) or gave it a longer host:
			// split the text for the channels left.
			split, err := ss.s.lines(u, b)
			switch {
			case err == nil:
				lines, budget = split, b
			case lines == nil:
				return got, err
			default: // the next attempt, on the bot's own nick, has the room
				st.err = fmt.Errorf("irc: send to %s: %s: %v", st.t.name, ss.renamed(), err)
			}
		}
		if st.err == nil {
			st.lines, st.got = lines, make([]bool, len(lines))
			if ss.c.echoes() {
				// Only echoes mark lines (see keepLines): without
				// them, no read of the Store would find one.
				st.got = relayed(f, todo[k], lines)
			}
			switch left := slices.Index(st.got, false); {
			case left < 0: // every line relayed (echoed) before an earlier attempt failed
			case !ss.fits(len(lines) - left):
				// Its JOIN was answered too late: begun now, the lines
				// would be cut short by the deadline, and the next
				// attempt would post them again.
				st.err = errPacedOut
			default:
				if err := ss.post(st); err != nil {
					return got, lost(err)
				}
			}
		}
		report(k)
	}
}

// sameChannels returns todo (indexes into the configured targets) with
// each channel once as the server folds names (see conn.chanFold), and,
// by the index of the one kept, the others that name its channel: on a
// server of CASEMAPPING=rfc1459, "#ops[1]" and "#ops{1}" are one channel,
// which gets the lines once, and its outcome is theirs too. A channel of
// todo whose channel a configured target not in todo got in an earlier
// attempt (see deliver) is reported delivered to f and left out.
// Config.Channels holds no two names every casemapping folds alike (see
// foldEvery).
func (ss *session) sameChannels(todo []int, earlier func(i int) bool, f *broadcast.Fanout) ([]int, map[int][]int) {
	first := make(map[string]int, len(todo)) // by folded name
	for _, i := range todo {
		if name := ss.c.chanFold(ss.s.targets[i].name); first[name] == 0 {
			first[name] = i + 1
		}
	}
	got := map[string]bool{} // folded names a target not in todo got earlier
	for i, t := range ss.s.targets {
		name := ss.c.chanFold(t.name)
		if j := first[name]; j != 0 && j-1 != i && !slices.Contains(todo, i) && !got[name] && earlier(i) {
			got[name] = true
		}
	}
	clear(first)
	var kept []int
	var same map[int][]int
	for _, i := range todo {
		name := ss.c.chanFold(ss.s.targets[i].name)
		j, dup := first[name]
		switch {
		case got[name]:
			f.Report(i, nil)
		case !dup:
			first[name] = i
			kept = append(kept, i)
		default:
			if same == nil {
				same = map[int][]int{}
			}
			same[j] = append(same[j], i)
		}
	}
	return kept, same
}

// linePart is the progress part (see broadcast.Fanout.MarkProgress) of
// the line i of the n lines for an IRC channel: named by its text too, so
// that a line split otherwise in a later attempt (another prefix, another
// budget) is not taken for it.
func linePart(i, n int, line string) string {
	sum := sha256.Sum256([]byte(line))
	return fmt.Sprintf("line %d/%d %x", i+1, n, sum[:8])
}

// relayed reads from f which of lines the server relayed to the IRC
// channel of target t in an earlier attempt: one read of the Store per
// line. A mark the Store cannot read counts as not relayed: the line is
// posted again rather than lost.
func relayed(f *broadcast.Fanout, t int, lines []string) []bool {
	got := make([]bool, len(lines))
	for i, line := range lines {
		got[i] = f.Progressed(t, linePart(i, len(lines), line))
	}
	return got
}

// keepLines records as progress of target t the lines of st that the
// server relayed in this attempt (echoed, see echoedLine), for a channel
// left for the next attempt, which does not post them again. Without
// echo-message no line is known to be relayed before the PONG that
// completes the channel.
func keepLines(f *broadcast.Fanout, t int, st *chanState) {
	for _, i := range st.order {
		if st.got[i] {
			_ = f.MarkProgress(t, linePart(i, len(st.lines), st.lines[i])) // the Broadcaster reports a failed mark
		}
	}
}

// keepWait gives err, the failure of the connection during an attempt,
// the longest wait that a rate limit of a channel asked for before it (a
// 707, a flood notice): retried sooner, the lines would be dropped again.
func keepWait(ctx context.Context, err error, f *broadcast.Fanout) error {
	d, hinted := broadcast.RetryDelay(f.Err())
	if !hinted || ctx.Err() != nil || broadcast.IsPermanent(err) {
		return err
	}
	if had, ok := broadcast.RetryDelay(err); ok && had >= d {
		return err
	}
	return broadcast.RetryAfter(err, d)
}

// receipt describes a successful Send; got holds the lines each channel
// delivered got (see deliver). A name delivered without lines in got, its
// channel having got the update under another name in an earlier attempt,
// was not posted to by this Send and is not listed.
func (c *Channel) receipt(l broadcast.Ledger, f *broadcast.Fanout, got map[int]int) broadcast.Receipt {
	var posted, failed, lines []string
	for _, i := range f.Delivered() {
		n, ok := got[i]
		if !ok { // its channel got the update under another name earlier (see sameChannels)
			continue
		}
		posted = append(posted, c.s.names[i])
		lines = append(lines, strconv.Itoa(n))
	}
	meta := map[string]string{"channels": strings.Join(posted, ",")}
	if len(lines) > 0 {
		meta["lines"] = strings.Join(lines, ",") // one per channel, as "channels" lists them
		if !slices.ContainsFunc(lines, func(n string) bool { return n != lines[0] }) {
			meta["lines"] = lines[0]
		}
	}
	for _, name := range c.s.names {
		if l == nil { // a Message built by hand, not by broadcast.NewMessage
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

// runOnce connects, registers, runs job and quits.
func runOnce(ctx context.Context, s *settings, job func(*session) error) error {
	cn, err := dial(ctx, s)
	if err != nil {
		return err
	}
	defer cn.quit(ctx)
	return use(ctx, cn, s, true, job)
}

// use runs job in a session on cn bound to ctx, registering first if asked.
func use(ctx context.Context, cn *conn, s *settings, register bool, job func(*session) error) error {
	stop := cn.watch(ctx)
	defer stop()
	ss := newSession(ctx, cn, s)
	defer ss.end()
	if register {
		if err := ss.register(); err != nil {
			return err
		}
	}
	return job(ss)
}

// kept is the connection of a persistent Channel. Only the holder of the
// Channel's turn uses it.
type kept struct {
	cn     *conn // nil: none yet, or dropped
	closed bool
}

// run runs job on the kept connection, connecting first when there is none
// or it dropped, or it does not answer (see endpoint.ProbeWait): in the same
// attempt, which only ctx ends. A connection that failed under job is
// dropped.
func (k *kept) run(ctx context.Context, s *settings, job func(*session) error) error {
	if k.closed {
		return broadcast.Permanent(ErrClosed)
	}
	if k.cn != nil && !k.cn.usable() {
		k.cn.close()
		k.cn = nil
	}
	if k.cn != nil {
		// A connection can die quietly while idle: make sure, before
		// posting, that the server still answers (see endpoint.ProbeWait).
		if err := use(ctx, k.cn, s, false, (*session).alive); err != nil {
			if ctx.Err() != nil {
				return err
			}
			k.cn.close()
			k.cn = nil
		}
	}
	fresh := k.cn == nil
	if fresh {
		cn, err := dial(ctx, s)
		if err != nil {
			return err
		}
		k.cn = cn
	}
	err := use(ctx, k.cn, s, fresh, job)
	if err != nil || !k.cn.usable() {
		k.cn.quit(ctx)
		k.cn = nil
	}
	return err
}

func (k *kept) close() {
	k.closed = true
	if k.cn != nil {
		k.cn.quit(context.Background())
		k.cn = nil
	}
}
