package email

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
)

// Send makes one attempt to deliver m.Update to every recipient that
// m.Ledger does not list as done, over up to Concurrency connections,
// which it shares with the Channel's other Sends. The package
// documentation says how (Connections), and how replies are classified
// (Errors).
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("email: %w", err)
	}
	if u := m.Update; u.ID == "" || u.IncidentID == "" || u.Time.IsZero() {
		// Called directly, not by a Broadcaster: the Message-ID needs an ID.
		m.Update = u.WithDefaults(time.Now().UTC().Round(0))
	}
	p, err := c.prepare(m)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("email: %w", err))
	}
	if p.data, err = c.compose(p); err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("email: %w", err))
	}
	p.size = contentSize(p.data)
	f := broadcast.NewFanout(m, c.targets)
	if todo := f.Todo(); len(todo) > 0 {
		b := &batch{attempt: c.newAttempt(), p: p, fan: f, queue: slices.Clone(todo), todo: todo}
		if err := b.run(ctx); err != nil {
			return broadcast.Receipt{}, err
		}
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("email: %w", err)
	}
	return c.receipt(m, p, f), nil
}

// batch is one attempt's work: a queue of recipients (indexes of
// Channel.to) shared by the connections. Outcomes go to the Fanout.
type batch struct {
	*attempt
	p   *prepared
	fan *broadcast.Fanout
	// todo are the recipients the batch sends to.
	todo []int
	// heads are the header fields of the recipients' messages, by
	// recipient, made once per batch with a ListUnsubscribeFunc, once a
	// worker has a connection (see makeHeads); nil until then, and
	// without one. maxHead is the longest of them. headsMu is held while
	// they are made; a worker sends only after makeHeads made them.
	headsMu sync.Mutex
	heads   []recipientFields
	maxHead int64

	mu      sync.Mutex
	queue   []int
	cause   error         // why the last connection failed or broke
	fatal   error         // the whole channel failed permanently
	held    bool          // the sender was deferred: the rest wait for the next attempt
	unsure  bool          // a recipient's delivery was left uncertain: see failed
	waiting chan struct{} // closed once no recipient waits for a connection: see putBack
}

// run sends to the queue over up to min(Concurrency, len(queue))
// connections, as many as the Channel's pool lets it have.
// Recipients left in the queue at the end are reported pending, with the
// reason the last connection gave up. The error is a permanent failure of
// the whole channel, if there was one before any recipient got the update
// or may have it (after, the recipients left are reported failed with it):
// a permanent error says nothing went out. A failure to connect after a
// connection of the attempt authenticated is not one: see
// attempt.permanent.
func (b *batch) run(ctx context.Context) error {
	if n := min(b.ch.cfg.Concurrency, len(b.queue)); n == 1 {
		b.work(ctx) // one connection: no goroutine to hand over to and wait for
	} else {
		// A panic in a worker (a caller-built Message.Ledger's, in
		// Report) is raised here once the others ended, rather than
		// end the process from the worker's goroutine.
		guard.Go(n, "email", func() { b.work(ctx) })
	}
	if b.fatal != nil && !b.fan.Reached() && !b.unsure {
		return b.fatal
	}
	if b.fatal != nil {
		// Some recipients got the update, or may have it (an uncertain
		// delivery, pending for the retry): the others are refused, as a
		// recipient refused for good is, and the update is recorded.
		for _, i := range b.queue {
			b.fan.Report(i, b.fatal)
		}
		return nil
	}
	cause := b.cause
	if ctx.Err() != nil && !errors.Is(cause, ctx.Err()) {
		cause = fmt.Errorf("email: %w", ctx.Err())
	}
	if cause != nil {
		for _, i := range b.queue {
			b.fan.Report(i, cause)
		}
	}
	return nil
}

// The wait for the reply to the RSET that starts the first message on a
// kept connection (taken from the pool, or handed over by another Send)
// is endpoint.ProbeWait, where Config.Timeout is not shorter: a server
// that is there answers RSET at once, as it looks nothing up and stores
// nothing for it.

// maxDials is how often one worker connects in one attempt: once, and once
// more after a connection broke. Connections from the pool do not count.
const maxDials = 2

// work takes recipients off the queue and sends to each on its connection
// until the queue is empty, the attempt failed for good, or ctx ended. It
// gives its connection back to the Channel's pool at the end; after a
// panic (a caller-built Message.Ledger's, in Report), it closes it
// instead: a transaction, or replies to a pipelined one, may be under way
// on it, which the connection's next message would take for its own.
func (b *batch) work(ctx context.Context) {
	var cn *conn
	ended := false // returned, not panicked
	defer func() {
		if cn != nil {
			cn.settle(false) // a kept one whose RSET never went out
			if !ended {
				cn.abort()
				return
			}
			b.ch.pool.put(cn)
		}
	}()
	dials := 0
	for {
		if cn == nil && dials >= maxDials {
			ended = true
			return
		}
		i, ok := b.next(ctx)
		if !ok {
			ended = true
			return
		}
		if cn == nil {
			if cn, i = b.connect(ctx, i, &dials); cn == nil {
				ended = true
				return
			}
			if !b.makeHeads(ctx) {
				// The context ended: i waits, with the others, for the
				// next attempt (see run).
				b.giveUp(fmt.Errorf("email: %w", ctx.Err()), i)
				ended = true
				return
			}
		}
		send := b.sendOne
		if cn.pipelining {
			send = b.chain
		}
		switch {
		case !send(ctx, cn, i):
			cn.settle(false) // a kept one that broke before its RSET was answered
			if cn.silent {
				b.ch.pool.drop(cn.takenAt)
			}
			cn.abort()
			cn = nil
		case b.pending() && b.ch.pool.yield(cn, b):
			// Another Send's turn: this worker waits in line for the
			// next, and then may connect as a new worker would.
			cn, dials = nil, 0
		}
	}
}

// connect returns a connection for recipient i: one kept from an earlier
// Send, or one it dials. When the Channel's Concurrency connections are
// all in use, it puts i back in the queue, for the connections of the
// attempt to take, and waits in line, within ctx, for one to be handed
// over or closed (see pool); then it takes the next recipient, which it
// returns with the connection. It returns nil when the worker is done:
// the queue emptied meanwhile, or connecting failed, or ctx ended, which
// is then the batch's cause.
func (b *batch) connect(ctx context.Context, i int, dials *int) (*conn, int) {
	cn, slot, w := b.take(b)
	if w != nil {
		var ok bool
		var err error
		cn, ok, err = b.ch.pool.wait(ctx, w, b.putBack(i))
		if err != nil {
			b.giveUp(b.ch.waitError(err))
			return nil, 0
		}
		if !ok {
			return nil, 0
		}
		if i, ok = b.next(ctx); !ok {
			b.ch.pool.giveBack(cn)
			return nil, 0
		}
		slot = cn == nil
	}
	if !slot {
		cn.bind(ctx)
		return cn, i
	}
	*dials++
	cn, err := b.ch.connect(ctx, b.attempt)
	if err != nil {
		b.requeue(i, err)
	}
	return cn, i
}

// putBack puts recipient i back at the front of the queue, and returns
// the channel closed once no recipient waits in it.
func (b *batch) putBack(i int) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = slices.Insert(b.queue, 0, i)
	if b.waiting == nil {
		b.waiting = make(chan struct{})
	}
	w := b.waiting
	b.update() // closed at once if the attempt is over
	return w
}

// update closes b.waiting once no recipient waits for a connection; b.mu
// is held.
func (b *batch) update() {
	if b.waiting != nil && (b.fatal != nil || b.held || len(b.queue) == 0) {
		close(b.waiting)
		b.waiting = nil
	}
}

// next pops the next recipient, if the worker may go on.
func (b *batch) next(ctx context.Context) (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fatal != nil || b.held || ctx.Err() != nil || len(b.queue) == 0 {
		return 0, false
	}
	i := b.queue[0]
	b.queue = b.queue[1:]
	b.update()
	return i, true
}

// pending reports whether the batch has recipients left for its workers
// to send to. A worker whose batch has none gives its connection back to
// the pool (put), which serves the line in order, a Check waiting first
// included, instead of handing it to another Send (yield), which would
// pass over that Check.
func (b *batch) pending() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fatal == nil && !b.held && len(b.queue) > 0
}

// sendOne sends to recipient i, on a connection whose server does not
// offer PIPELINING, and reports the outcome. It reports whether the
// connection can carry the next message.
func (b *batch) sendOne(ctx context.Context, cn *conn, i int) bool {
	head, ok := b.header(cn, i)
	if !ok {
		return true
	}
	if err := b.tooLarge(cn); err != nil {
		b.requeue(i, err) // with the others, refused with err: see run
		return true       // no command went out: the connection is as it was
	}
	if !b.deadline(cn, i) {
		return false
	}
	command, err := cn.transact(b.ch.from, b.ch.to[i], head, b.p.data, b.size(head))
	if err == nil {
		// The server took the message (a 2yz reply to the end of DATA):
		// Report marks it in the Ledger before anything else can go
		// wrong, so no retry sends it twice.
		b.fan.Report(i, nil)
		return true
	}
	return b.failed(ctx, cn, i, command, err)
}

// header returns the header fields of recipient i's message, or reports i
// refused when they cannot be made, or when the address needs SMTPUTF8
// and cn's server does not offer it.
func (b *batch) header(cn *conn, i int) ([]byte, bool) {
	head, err := b.recipientHeader(i)
	if err == nil && !cn.smtputf8 && !isASCII(b.ch.to[i].Address) {
		err = errors.New("the address needs SMTPUTF8 (RFC 6531), which the server does not offer")
	}
	if err != nil {
		b.fan.Report(i, broadcast.Permanent(&RecipientError{Recipient: b.ch.targets[i], Reply: err.Error()}))
		return nil, false
	}
	return head, true
}

// recipientHeader returns the header fields of recipient i's message:
// the batch's with a ListUnsubscribeFunc (see makeHeads), else the
// Channel's.
func (b *batch) recipientHeader(i int) ([]byte, error) {
	if b.ch.cfg.ListUnsubscribeFunc != nil {
		return b.heads[i].fields, b.heads[i].err
	}
	return b.ch.recipientHeader(i)
}

// deadline gives the connection Config.Timeout for the next message, to
// recipient i, whom it puts back in the queue when the connection is gone.
// A kept connection gets only the probe (see endpoint.ProbeWait) until its RSET is
// answered (see conn.probed).
func (b *batch) deadline(cn *conn, i int) bool {
	d := b.ch.cfg.Timeout
	if cn.check != nil {
		d = b.ch.probe
	}
	if err := cn.client.UpdateDeadline(d); err != nil {
		b.requeue(i, fmt.Errorf("email: connection lost: %w", err))
		return false
	}
	return true
}

// failed reports recipient i's message, which failed at command with err,
// and reports whether the connection is still usable. When the wait for
// the reply to the end of DATA failed (the context ended, the connection
// broke or timed out), or a write after the message's final "." did (see
// conn.unanswered), the message went out whole and the delivery is
// uncertain (ErrDeliveryUncertain): the recipient waits for the next
// attempt rather than go out again at once on another connection, and the
// Ledger keeps the uncertainty for the receipt of the attempt that
// delivers it (see uncertain).
func (b *batch) failed(ctx context.Context, cn *conn, i int, command string, err error) bool {
	switch {
	case errors.Is(err, errUnanswered):
		// Remembered in the Ledger, so that the attempt that delivers the
		// message again, after a restart too, says it may be a second
		// copy (see uncertain).
		_ = b.fan.MarkProgress(i, partUncertain) // the Broadcaster reports a failed mark
		b.mu.Lock()
		b.unsure = true // the attempt's error may not say that nothing went out: see run
		b.mu.Unlock()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		// Scrubbed: err may quote the server (a reply that is no outcome,
		// a malformed reply line), which may quote the credentials.
		b.fan.Report(i, b.scrubber().error(fmt.Errorf("%w (%w)", ErrDeliveryUncertain, err)))
		return false
	case ctx.Err() != nil:
		b.fan.Report(i, fmt.Errorf("email: %w", ctx.Err()))
		return false
	}
	return b.classify(cn, i, command, err)
}

// classify reports a failed message by the SMTP reply to command and
// reports whether the connection is still usable.
func (b *batch) classify(cn *conn, i int, command string, err error) bool {
	to := b.ch.targets[i]
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code == 421 || command == cmdReset {
		b.requeue(i, b.lost("connection lost", err))
		return false
	}
	if !refusal(reply) {
		// No outcome, and the replies out of step: the recipient goes
		// out on another connection.
		b.requeue(i, b.lost("connection given up after a reply to "+command+" that is no outcome", err))
		return false
	}
	switch {
	case command == cmdRcpt && tooManyRecipients(reply):
		// The server's limit on recipients, counted over the session since
		// each transaction here has one: a new connection takes the
		// recipient, in this attempt if a dial is left.
		b.requeue(i, broadcast.RetryAfter(fmt.Errorf("email: connection given up: %w",
			b.scrubber().reply(reply)), b.ch.deferral(reply)))
		return false
	case reply.Code >= 500 && command == cmdMail && cn.sizeOffered && (reply.Code == 552 || messageRefused(reply)):
		// The size MAIL FROM declared (see commands): 552 refuses the
		// message as too large (RFC 1870, section 6.1,
		// https://www.rfc-editor.org/rfc/rfc1870#section-6.1), which
		// every recipient's copy is, as a refused sender is (below).
		b.requeue(i, broadcast.Permanent(fmt.Errorf("email: message refused at MAIL FROM for the size it declared "+
			"(SIZE=, RFC 1870): nothing was sent; %s: %w", b.shorten(), b.scrubber().reply(reply))))
		return false
	case reply.Code >= 500 && command == cmdMail:
		// Back in the queue: with the recipients not sent yet, it fails
		// with the sender's refusal (see run).
		b.requeue(i, broadcast.Permanent(fmt.Errorf("email: sender refused: %w", b.scrubber().reply(reply))))
		return false
	case reply.Code >= 500 && command == cmdEndData && messageRefused(reply):
		// The message itself, which every recipient's copy is: all fail
		// with this one's refusal, as with the sender's (see run), and
		// none is uploaded again to be refused again.
		refused := b.scrubber().refused(to, command, reply)
		b.fan.Report(i, broadcast.Permanent(refused))
		b.setFatal(broadcast.Permanent(fmt.Errorf("email: message refused: %w", refused)))
		cn.reset = false
		return !cn.broken
	case reply.Code >= 500:
		b.fan.Report(i, broadcast.Permanent(b.scrubber().refused(to, command, reply)))
	case command == cmdMail:
		// The sender, not a recipient, is deferred (a rate limit, a full
		// queue): the next recipient's MAIL FROM would be too.
		held := broadcast.RetryAfter(fmt.Errorf("email: sender deferred: %w", b.scrubber().reply(reply)), b.ch.deferral(reply))
		b.fan.Report(i, held)
		b.hold(held)
		return false
	default:
		b.fan.Report(i, broadcast.RetryAfter(fmt.Errorf("email: recipient %s deferred at %s: %w",
			to, command, b.scrubber().reply(reply)), b.ch.deferral(reply)))
	}
	// The reply to the end of DATA ended the transaction; a refusal before
	// it leaves one open, which the next transaction's RSET resets.
	cn.reset = command != cmdEndData
	return !cn.broken
}

// tooManyRecipients reports whether reply, to RCPT, says "too many
// recipients": 452, or 552, with the enhanced status code X.5.3 (RFC
// 3463) or those words. RFC 5321 (4.5.3.1.10) names 452 for the limit on
// RCPT commands, and has clients take a 552 for it as temporary, since
// RFC 821 had named 552.
func tooManyRecipients(reply *textproto.Error) bool {
	if reply.Code != 452 && reply.Code != 552 {
		return false
	}
	return strings.HasPrefix(reply.Msg, strconv.Itoa(reply.Code/100)+".5.3") ||
		strings.Contains(strings.ToLower(reply.Msg), "too many recipients")
}

// messageRefused reports whether reply, a 5xx to the end of DATA, refuses
// the message rather than a recipient, by its enhanced status code (RFC
// 3463): X.3.4, too big for the system, or X.6.x, its content or encoding.
// The same message goes to every recipient, and would be refused for each.
func messageRefused(reply *textproto.Error) bool {
	return strings.HasPrefix(reply.Msg, "5.3.4") || strings.HasPrefix(reply.Msg, "5.6.")
}

// lost is the cause of giving up a connection because of err, which
// follows what. A 421 reply, with which a busy or rate-limiting server
// closes the connection, asks for a wait (see deferral) before the next
// attempt, as a 4xx to a recipient does: a quick retry finds it so again.
func (b *batch) lost(what string, err error) error {
	cause := fmt.Errorf("email: %s: %w", what, err)
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code == 421 {
		return broadcast.RetryAfter(cause, b.ch.deferral(reply))
	}
	return cause
}

// requeue puts recipient i back for another connection, or for the next
// attempt when no connection is left, and gives up the connection with
// cause (see giveUp).
func (b *batch) requeue(i int, cause error) { b.giveUp(cause, i) }

// giveUp remembers why a connection was given up, or never made, with
// every secret redacted: the cause may hold a server's reply, which may
// quote the credentials. A permanent cause ends the attempt (setFatal).
// The recipients back go back in the queue.
func (b *batch) giveUp(cause error, back ...int) {
	cause = b.scrubber().error(cause)
	if broadcast.IsPermanent(cause) {
		b.setFatal(cause)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, back...)
	if !b.held { // the sender's deferral says more than the broken connection
		b.cause = cause
	}
}

// hold leaves the recipients not sent yet for the next attempt, with cause.
func (b *batch) hold(cause error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held, b.cause = true, cause
	b.update()
}

// setFatal ends the attempt for every recipient with err, with every
// secret redacted.
func (b *batch) setFatal(err error) {
	err = b.scrubber().error(err)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fatal == nil {
		b.fatal = err
	}
	b.update()
}

// receipt is the Receipt of m's attempt, which left no recipient pending.
func (c *Channel) receipt(m broadcast.Message, p *prepared, f *broadcast.Fanout) broadcast.Receipt {
	// The message's chain, uncapped by MaxReferences, and its own ID: an
	// update sent again recovers it exactly (see before), also after
	// later updates whose References no longer name it; each message's
	// References are capped anew (see capReferences).
	refs := p.messageID
	if len(p.references) > 0 {
		refs = strings.Join(p.references, " ") + " " + refs
	}
	meta := map[string]string{
		"references": refs,
		"subject":    p.subject, // for the next update: see threadSubject
		"sent":       strconv.Itoa(len(f.Delivered())),
		"skipped":    strconv.Itoa(len(c.targets) - len(f.Todo()) - len(f.Superseded())),
	}
	if n := len(f.Superseded()); n > 0 {
		meta["superseded"] = strconv.Itoa(n)
	}
	if u := c.uncertain(m, f); len(u) > 0 {
		meta["uncertain"] = strings.Join(u, " ")
	}
	return broadcast.Receipt{Channel: c.Name(), ID: p.messageID, Time: time.Now().UTC().Round(0), Meta: meta}
}

// partUncertain is the progress part (see broadcast.Fanout.MarkProgress)
// under which the Ledger keeps that a recipient's delivery was uncertain
// (ErrDeliveryUncertain): their message went out whole, and no reply said
// whether the server took it.
const partUncertain = "uncertain"

// uncertain returns the recipients, in the order of Config.To, who have
// the update now, from this attempt or an earlier one, and whose delivery
// an earlier attempt left uncertain: they may have the message twice. The
// marks are in the Ledger, so they outlive the attempt, and, with a
// durable Store, a restart. Only a retry (Message.Attempt above 1) looks:
// the Broadcaster counts an earlier attempt whose outcome is unknown, as
// an uncertain delivery leaves it, also on a later run's first attempt.
func (c *Channel) uncertain(m broadcast.Message, f *broadcast.Fanout) []string {
	if m.Attempt <= 1 || m.Ledger == nil {
		return nil
	}
	now := make([]bool, len(c.targets))
	for _, i := range f.Delivered() {
		now[i] = true
	}
	tried := make([]bool, len(c.targets))
	for _, i := range f.Todo() {
		tried[i] = true
	}
	newer := make([]bool, len(c.targets))
	for _, i := range f.Superseded() {
		newer[i] = true // not sent again: the Ledger says done, yet once is all they got
	}
	var out []string
	for i, t := range c.targets {
		if tried[i] && !now[i] || newer[i] || !f.Progressed(i, partUncertain) {
			continue // refused now, a newer update there first, or never uncertain
		}
		if !now[i] {
			// Done in an earlier attempt: delivered, or refused for good.
			if done, failure := m.Ledger.Done(t); !done || failure != "" {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// Preview renders u as Send would: the subject and the plain-text body.
// Length counts the body's characters; e-mail has no limit.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.Name(), Unit: "characters"}
	ct, err := c.render(u)
	if err != nil {
		return p, fmt.Errorf("email: %w", err)
	}
	p.Subject, p.Text, p.Length = ct.subject, ct.text, utf8.RuneCountInString(ct.text)
	return p, nil
}
