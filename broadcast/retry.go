package broadcast

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// deliver runs one channel's delivery of u: skip if the Store says it is
// done, otherwise attempt, wait and retry within the RetryPolicy.
func (b *Broadcaster) deliver(ctx context.Context, ch Channel, fl *flight, u Update) (res Result) {
	name := ch.Name()
	res.Channel = name
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	// Marks and receipts are written even when ctx ends: a delivery that
	// happened must be remembered.
	keep := context.WithoutCancel(ctx)

	// One delivery of an update per channel at a time in this Broadcaster:
	// a concurrent Send of the same update waits, then finds it done.
	if err := fl.lock(ctx); err != nil {
		res.Err = err
		b.emit(ctx, Event{Kind: EventFailed, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID, Err: err})
		return res
	}
	defer fl.unlock()

	if done, err := b.store.Done(ctx, u.ID, name, ""); err != nil {
		b.logStoreError(ctx, name, "read delivery mark", err)
	} else if done {
		res.Skipped = true
		b.emit(ctx, Event{Kind: EventSkipped, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID})
		return res
	}
	thread, _, err := b.store.LastReceipt(ctx, u.IncidentID, name)
	if err != nil {
		b.logStoreError(ctx, name, "read last receipt", err)
	}
	ledger, l := newLedger(keep, b.store, u.ID, name)
	msg := Message{Update: u, Thread: thread, Ledger: l}
	defer func() {
		res.Delivered, res.Failures = ledger.outcome()
		if res.Err == nil && len(res.Failures) > 0 {
			res.Err = Permanent(&TargetsError{Failures: res.Failures})
		}
	}()

	var bo *backoff.ExponentialBackOff
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			res.Err = stopped(err, res.Err)
			break
		}
		res.Attempts = attempt
		msg.Attempt = attempt
		b.emit(ctx, Event{Kind: EventAttempt, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID, Attempt: attempt})
		rcpt, err := b.attempt(ctx, ch, msg)
		if err == nil {
			res.Err = nil
			res.Receipt = b.record(keep, name, u, rcpt)
			b.emit(ctx, Event{Kind: EventDelivered, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID,
				Attempt: attempt, Receipt: res.Receipt})
			return res
		}
		res.Err = err
		if ctx.Err() != nil || IsPermanent(err) || attempt >= b.retry.MaxAttempts {
			if ctx.Err() != nil {
				res.Err = stopped(ctx.Err(), err)
			}
			break
		}
		if bo == nil {
			bo = b.newBackOff()
		}
		delay := b.nextDelay(bo, err)
		if left := b.retry.MaxElapsed - time.Since(start); delay > left {
			res.Err = fmt.Errorf("gave up: the next attempt would start after %v, past what is left of RetryPolicy.MaxElapsed (%v); last attempt: %w",
				delay.Round(time.Millisecond), max(left, 0).Round(time.Millisecond), err)
			break
		}
		b.emit(ctx, Event{Kind: EventRetry, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID,
			Attempt: attempt, Delay: delay, Err: err})
		if !sleep(ctx, delay) {
			res.Err = stopped(ctx.Err(), err)
			break
		}
	}
	b.emit(ctx, Event{Kind: EventFailed, Channel: name, UpdateID: u.ID, IncidentID: u.IncidentID,
		Attempt: res.Attempts, Err: res.Err})
	return res
}

// attempt makes one call of ch.Send under the attempt timeout. A panic in
// the channel becomes a permanent error instead of taking the process down.
func (b *Broadcaster) attempt(ctx context.Context, ch Channel, m Message) (rcpt Receipt, err error) {
	actx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("channel panicked: %v", r))
		}
	}()
	rcpt, err = ch.Send(actx, m)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		// Our attempt timeout, not the caller's context: worth retrying.
		// Not %w: this is not the caller's deadline, and errors.Is must
		// not say it is.
		err = fmt.Errorf("%w after %v: %v", ErrAttemptTimeout, b.timeout, err)
	}
	return rcpt, err
}

// record saves the receipt of a delivery and marks the update done.
func (b *Broadcaster) record(ctx context.Context, name string, u Update, r Receipt) Receipt {
	if r.Channel == "" {
		r.Channel = name
	}
	if r.Time.IsZero() {
		r.Time = time.Now().UTC().Round(0)
	}
	if err := b.store.SaveReceipt(ctx, u.IncidentID, r); err != nil {
		b.logStoreError(ctx, name, "save receipt", err)
	}
	if err := b.store.Mark(ctx, u.ID, name, "", nil); err != nil {
		b.logStoreError(ctx, name, "mark delivered", err)
	}
	return r
}

// jitter is the randomization of each wait: ±50%.
const jitter = 0.5

// newBackOff returns the exponential backoff of one delivery. Its intervals
// stop growing at MaxInterval/(1+jitter), so that with jitter no wait
// exceeds MaxInterval (see nextDelay).
func (b *Broadcaster) newBackOff() *backoff.ExponentialBackOff {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = b.retry.InitialInterval
	bo.MaxInterval = time.Duration(float64(b.retry.MaxInterval) / (1 + jitter))
	bo.Multiplier = 2
	bo.RandomizationFactor = jitter
	bo.MaxElapsedTime = 0 // deliver enforces MaxElapsed, RetryAfter waits included
	bo.Reset()
	return bo
}

// nextDelay is the wait before the next attempt after err: the backoff's,
// never more than RetryPolicy.MaxInterval, or longer when err asks for it
// with RetryAfter (the platform's word wins over our cap; MaxElapsed still
// bounds it).
func (b *Broadcaster) nextDelay(bo *backoff.ExponentialBackOff, err error) time.Duration {
	delay := min(bo.NextBackOff(), b.retry.MaxInterval)
	if d, ok := RetryDelay(err); ok {
		delay = max(delay, d)
	}
	return delay
}

// stopped is the error of a delivery ended by the caller's context: it
// matches ctx's error and keeps the last attempt's error for the report,
// even when that matches ctx's error too: a channel's error names the
// targets it did not reach.
func stopped(ctxErr, last error) error {
	if last == nil || last == ctxErr || last.Error() == ctxErr.Error() {
		return ctxErr
	}
	return fmt.Errorf("%w; last attempt: %w", ctxErr, last)
}

// sleep waits d or until ctx is done; it reports whether it waited in full.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *Broadcaster) emit(ctx context.Context, e Event) {
	logging := b.logger != nil && b.logger.Enabled(ctx, eventLevel(e.Kind))
	if b.onEvent == nil && !logging {
		return
	}
	e.Time = time.Now()
	if logging {
		attrs := []slog.Attr{
			slog.String("channel", e.Channel),
			slog.String("update", e.UpdateID),
			slog.String("incident", e.IncidentID),
			slog.Int("attempt", e.Attempt),
		}
		switch e.Kind {
		case EventRetry:
			attrs = append(attrs, slog.Duration("delay", e.Delay), slog.String("error", e.Err.Error()))
		case EventFailed:
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		case EventDelivered:
			attrs = append(attrs, slog.String("id", e.Receipt.ID), slog.String("url", e.Receipt.URL))
		}
		b.logger.LogAttrs(ctx, eventLevel(e.Kind), "broadcast: "+string(e.Kind), attrs...)
	}
	if b.onEvent != nil {
		b.eventMu.Lock()
		defer b.eventMu.Unlock()
		b.onEvent(e)
	}
}

func eventLevel(k EventKind) slog.Level {
	switch k {
	case EventAttempt:
		return slog.LevelDebug
	case EventRetry:
		return slog.LevelWarn
	case EventFailed:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (b *Broadcaster) logStoreError(ctx context.Context, channel, what string, err error) {
	if b.logger == nil {
		return
	}
	b.logger.LogAttrs(ctx, slog.LevelError, "broadcast: store: "+what,
		slog.String("channel", channel), slog.String("error", err.Error()))
}
