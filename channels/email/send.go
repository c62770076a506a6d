package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// Send makes one attempt to deliver m.Update to every recipient that
// m.Ledger does not list as done, over up to Concurrency connections. See
// the package documentation for how replies are classified.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	u := m.Update
	if u.ID == "" || u.IncidentID == "" || u.Time.IsZero() {
		u = u.WithDefaults(time.Now().UTC().Round(0)) // called directly, not by a Broadcaster
	}
	p, err := c.prepare(u, m.Thread)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("email: %w", err))
	}
	if p.body, err = c.compose(p); err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("email: %w", err))
	}
	b := c.newBatch(p, m.Ledger)
	if len(b.queue) > 0 {
		if b.token, err = c.token(); err != nil {
			return broadcast.Receipt{}, err
		}
		b.run(ctx)
	}
	return b.outcome(ctx)
}

// batch is one attempt's work: a queue of recipients shared by the
// connections, and what became of each.
type batch struct {
	ch      *Channel
	p       *prepared
	ledger  broadcast.Ledger
	token   string
	skipped int               // done in an earlier attempt: delivered or refused
	earlier []*RecipientError // refused in an earlier attempt, if the Ledger tells

	mu       sync.Mutex
	queue    []*mail.Address
	sent     int
	refused  []*RecipientError
	deferred []error // 4xx replies: retried in a later attempt
	lost     []error // connections that failed or broke
	fatal    error   // the whole channel failed permanently
}

func (c *Channel) newBatch(p *prepared, ledger broadcast.Ledger) *batch {
	if ledger == nil {
		ledger = noLedger{}
	}
	b := &batch{ch: c, p: p, ledger: ledger}
	reporter, _ := ledger.(broadcast.FailureLedger)
	for _, a := range c.to {
		if !ledger.Done(a.Address) {
			b.queue = append(b.queue, a)
			continue
		}
		b.skipped++
		if reporter == nil {
			continue
		}
		if why, failed := reporter.Failure(a.Address); failed {
			why = strings.TrimPrefix(why, "email: recipient "+a.Address+" ")
			why = strings.TrimPrefix(why, "refused at ")
			b.earlier = append(b.earlier, &RecipientError{Recipient: a.Address, Reply: why})
		}
	}
	return b
}

// run sends to the queue over min(Concurrency, len(queue)) connections.
func (b *batch) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range min(b.ch.cfg.Concurrency, len(b.queue)) {
		wg.Go(func() { b.work(ctx) })
	}
	wg.Wait()
}

// maxDials is how often one worker connects in one attempt: once, and once
// more after a connection broke.
const maxDials = 2

// work takes recipients off the queue and sends to each on its connection
// until the queue is empty, the attempt failed for good, or ctx ended.
func (b *batch) work(ctx context.Context) {
	var cn *conn
	defer func() { cn.close() }()
	dials := 0
	for {
		to, ok := b.next(ctx, cn != nil || dials < maxDials)
		if !ok {
			return
		}
		if cn == nil {
			dials++
			var err error
			if cn, err = b.ch.dial(ctx, b.token); err != nil {
				b.requeue(to, err)
				return
			}
		}
		if !b.sendOne(ctx, cn, to) {
			cn.abort()
			cn = nil
		}
	}
}

// next pops the next recipient, if the worker may go on.
func (b *batch) next(ctx context.Context, canSend bool) (*mail.Address, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !canSend || b.fatal != nil || ctx.Err() != nil || len(b.queue) == 0 {
		return nil, false
	}
	to := b.queue[0]
	b.queue = b.queue[1:]
	return to, true
}

// sendOne sends to one recipient and records the outcome. It reports
// whether the connection can carry the next message.
func (b *batch) sendOne(ctx context.Context, cn *conn, to *mail.Address) bool {
	head, err := b.ch.recipientHeader(to)
	if err != nil {
		b.refuse(&RecipientError{Recipient: to.Address, Reply: err.Error()})
		return true
	}
	if err := cn.client.UpdateDeadline(b.ch.cfg.Timeout); err != nil {
		b.requeue(to, fmt.Errorf("email: connection lost: %w", err))
		return false
	}
	command, err := cn.transact(b.ch.from, to, head, b.p.body)
	if err == nil {
		// The server said 250 to the end of DATA: record it before anything
		// else can go wrong, so no retry sends it twice.
		_ = b.ledger.MarkDelivered(to.Address)
		b.mu.Lock()
		b.sent++
		b.mu.Unlock()
		return true
	}
	if ctx.Err() != nil {
		b.requeue(to, ctx.Err())
		return false
	}
	return b.classify(cn, to, command, err)
}

// classify records a failed message by the SMTP reply to command and
// reports whether the connection is still usable.
func (b *batch) classify(cn *conn, to *mail.Address, command string, err error) bool {
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code == 421 {
		b.requeue(to, fmt.Errorf("email: connection lost: %w", b.redact(err)))
		return false
	}
	switch {
	case reply.Code >= 500 && command == cmdMail:
		b.setFatal(broadcast.Permanent(fmt.Errorf("email: sender refused: %w", b.redact(err))))
		return false
	case reply.Code >= 500:
		b.refuse(newRecipientError(to.Address, command, reply, b.secrets()...))
	default:
		b.mu.Lock()
		b.deferred = append(b.deferred, fmt.Errorf("email: recipient %s deferred at %s: %w",
			to.Address, command, b.redact(err)))
		b.mu.Unlock()
	}
	if command == cmdEndData {
		return true // the reply ended the transaction
	}
	return cn.client.Reset() == nil
}

func (b *batch) refuse(e *RecipientError) {
	_ = b.ledger.MarkFailed(e.Recipient, e)
	b.mu.Lock()
	b.refused = append(b.refused, e)
	b.mu.Unlock()
}

// requeue puts a recipient back for another connection, or for the next
// attempt when no connection is left, and remembers why.
func (b *batch) requeue(to *mail.Address, cause error) {
	if broadcast.IsPermanent(cause) {
		b.setFatal(cause)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, to)
	b.lost = append(b.lost, cause)
}

func (b *batch) setFatal(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fatal == nil {
		b.fatal = err
	}
}

func (b *batch) secrets() []string { return []string{b.ch.cfg.Password, b.token} }

func (b *batch) redact(err error) error { return redactError(err, b.secrets()...) }

// outcome turns the attempt's results into Send's return values.
func (b *batch) outcome(ctx context.Context) (broadcast.Receipt, error) {
	pending := len(b.queue) + len(b.deferred)
	refused := slices.SortedFunc(slices.Values(append(slices.Clone(b.earlier), b.refused...)),
		func(a, b *RecipientError) int { return strings.Compare(a.Recipient, b.Recipient) })
	switch {
	case b.fatal != nil:
		return broadcast.Receipt{}, b.fatal
	case pending > 0:
		return broadcast.Receipt{}, b.pendingError(ctx, pending, refused)
	case b.sent == 0 && b.skipped == len(b.earlier) && len(refused) > 0:
		errs := make([]error, 0, min(len(refused), maxListed))
		for _, e := range refused[:cap(errs)] {
			errs = append(errs, e)
		}
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf(
			"email: all %d recipients refused the message: %w", len(refused), errors.Join(errs...)))
	}
	return b.receipt(refused), nil
}

// pendingError is the transient error of an attempt that left recipients
// for the next one.
func (b *batch) pendingError(ctx context.Context, pending int, refused []*RecipientError) error {
	cause := ctx.Err()
	for _, errs := range [][]error{b.deferred, b.lost} {
		if cause == nil && len(errs) > 0 {
			cause = errs[0]
		}
	}
	also := ""
	if len(refused) > 0 {
		also = "; refused: " + listRefused(refused)
	}
	err := fmt.Errorf("email: %d of %d recipients not reached yet (%d sent, %d refused): %w%s",
		pending, len(b.ch.to)-b.skipped, b.sent, len(refused), cause, also)
	if len(b.deferred) > 0 {
		err = broadcast.RetryAfter(err, b.ch.cfg.RetryDeferred)
	}
	return err
}

// maxListed caps the refused recipients named in a Receipt or an error.
const maxListed = 20

func (b *batch) receipt(refused []*RecipientError) broadcast.Receipt {
	refs := capReferences(append(slices.Clone(b.p.references), b.p.messageID))
	meta := map[string]string{
		"references": strings.Join(refs, " "),
		"subject":    b.p.subject, // for the next update: see threadSubject
		"sent":       strconv.Itoa(b.sent),
		"refused":    strconv.Itoa(len(refused)),
		"skipped":    strconv.Itoa(b.skipped),
	}
	if len(refused) > 0 {
		meta["refused_recipients"] = listRefused(refused)
	}
	return broadcast.Receipt{Channel: b.ch.Name(), ID: b.p.messageID, Time: time.Now().UTC().Round(0), Meta: meta}
}

// listRefused names the refused recipients and why, at most maxListed.
func listRefused(refused []*RecipientError) string {
	parts := make([]string, 0, min(len(refused), maxListed)+1)
	for _, e := range refused[:min(len(refused), maxListed)] {
		parts = append(parts, e.Recipient+" ("+e.summary()+")")
	}
	if len(refused) > maxListed {
		parts = append(parts, fmt.Sprintf("and %d more", len(refused)-maxListed))
	}
	return strings.Join(parts, "; ")
}

// noLedger is the Ledger of a Send called directly: nothing done yet,
// nothing remembered.
type noLedger struct{}

func (noLedger) Done(string) bool               { return false }
func (noLedger) MarkDelivered(string) error     { return nil }
func (noLedger) MarkFailed(string, error) error { return nil }

// Preview renders u as Send would: the subject and the plain-text body.
// Length counts the body's characters; e-mail has no limit.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	ct, err := c.render(u)
	if err != nil {
		return broadcast.Preview{}, fmt.Errorf("email: %w", err)
	}
	return broadcast.Preview{Channel: c.Name(), Subject: ct.subject, Text: ct.text,
		Length: utf8.RuneCountInString(ct.text), Unit: "characters"}, nil
}
