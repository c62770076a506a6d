package broadcast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// RetryPolicy bounds one channel's retrying. The zero value of each field
// means its default. Waits start at InitialInterval and double after each
// failed attempt, each randomized by ±50% so that many senders do not retry
// in step, and never exceed MaxInterval: once doubling reaches it, waits
// fall between a third of MaxInterval and MaxInterval. A RetryAfter hint
// longer than the wait replaces it, even beyond MaxInterval (bounded by
// MaxElapsed): the platform knows best when it will take the next request.
type RetryPolicy struct {
	MaxAttempts     int           // attempts in all, including the first; default 6
	InitialInterval time.Duration // wait before the first retry; default 1s
	MaxInterval     time.Duration // cap on one wait, jitter included; default 1m
	MaxElapsed      time.Duration // cap on one channel's retrying, waits included; default 10m
}

// Defaults of RetryPolicy and Options.
const (
	DefaultMaxAttempts     = 6
	DefaultInitialInterval = time.Second
	DefaultMaxInterval     = time.Minute
	DefaultMaxElapsed      = 10 * time.Minute
	DefaultAttemptTimeout  = 30 * time.Second
)

// Options configure a Broadcaster. The zero value means the documented
// defaults.
type Options struct {
	// Retry bounds each channel's retries.
	Retry RetryPolicy
	// AttemptTimeout bounds one attempt; default 30s. An attempt that runs
	// out of time counts as a transient failure and is retried.
	AttemptTimeout time.Duration
	// Store remembers receipts (threading) and delivery marks (idempotency);
	// default NewMemoryStore().
	Store Store
	// Logger receives one record per attempt (Debug), retry (Warn),
	// delivery and skip (Info) and failure (Error); default: discard.
	Logger *slog.Logger
	// OnEvent, if set, is called with the same progress as the Logger
	// receives. Calls are serialized; keep it quick.
	OnEvent func(Event)
}

// EventKind says what an Event reports.
type EventKind string

// Kinds of Event.
const (
	EventAttempt   EventKind = "attempt"   // an attempt starts
	EventRetry     EventKind = "retry"     // an attempt failed; Delay says when the next starts
	EventDelivered EventKind = "delivered" // the channel delivered the update
	EventFailed    EventKind = "failed"    // the channel gave up; Err says why
	EventSkipped   EventKind = "skipped"   // delivered earlier (same Update.ID in the Store)
)

// Event is one step of a channel's delivery, for progress displays.
type Event struct {
	Kind       EventKind
	Channel    string
	UpdateID   string
	IncidentID string
	Attempt    int           // the attempt this event is about; 0 for skipped
	Delay      time.Duration // EventRetry: the wait before the next attempt
	Err        error         // EventRetry, EventFailed: the attempt's error
	Receipt    Receipt       // EventDelivered
	Time       time.Time
}

// Report is the outcome of one Send.
type Report struct {
	UpdateID   string
	IncidentID string
	Results    []Result // Results[i] belongs to the Broadcaster's channel i
	Started    time.Time
	Finished   time.Time
}

// Result is one channel's outcome.
type Result struct {
	Channel  string
	Receipt  Receipt
	Attempts int
	Duration time.Duration
	Err      error // nil when delivered or skipped
	Skipped  bool  // already delivered earlier (same Update.ID, per the Store)
	// Delivered lists the targets (recipients, endpoints) the channel marked
	// delivered through the Ledger during this Send, also when the channel
	// failed or the caller's context ended before it finished.
	Delivered []string
	// Failures lists the targets the channel marked
	// failed permanently through the Ledger during this Send. When the
	// channel otherwise delivered, Err is then a Permanent *TargetsError.
	Failures []TargetFailure
}

// TargetFailure is one target's permanent failure, as a channel recorded it
// with Ledger.MarkFailed.
type TargetFailure struct {
	Target string
	Err    error
}

// TargetsError reports targets that failed permanently while the channel
// delivered to the others.
type TargetsError struct {
	Failures []TargetFailure
}

func (e *TargetsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s failed permanently", len(e.Failures), plural(len(e.Failures), "target", "targets"))
	const shown = 3
	for i, f := range e.Failures {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-shown)
			break
		}
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%v", sep, f.Err)
	}
	return b.String()
}

// ErrClosed is returned by Send and Preview after Close.
var ErrClosed = errors.New("broadcast: broadcaster closed")

// ErrAttemptTimeout is wrapped by the error of an attempt that ran out of
// Options.AttemptTimeout. Such an attempt is retried.
var ErrAttemptTimeout = errors.New("attempt timed out")

// Broadcaster sends updates to a fixed set of channels, each concurrently
// and with its own retries. It is safe for concurrent use.
type Broadcaster struct {
	channels []Channel
	retry    RetryPolicy
	timeout  time.Duration
	store    Store
	logger   *slog.Logger // nil: discard
	onEvent  func(Event)
	eventMu  sync.Mutex
	flights  flights

	mu     sync.RWMutex
	closed bool
}

// New returns a Broadcaster for channels. It does no I/O. It fails with
// ErrNoChannels, with ErrDuplicateChannel, or when a channel is nil or has
// an empty name, or an option is negative.
func New(channels []Channel, opts Options) (*Broadcaster, error) {
	if len(channels) == 0 {
		return nil, ErrNoChannels
	}
	seen := make(map[string]bool, len(channels))
	for i, ch := range channels {
		if ch == nil {
			return nil, fmt.Errorf("broadcast: channels[%d]: nil", i)
		}
		name := ch.Name()
		if name == "" {
			return nil, fmt.Errorf("broadcast: channels[%d]: empty name", i)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateChannel, name)
		}
		seen[name] = true
	}
	p := opts.Retry
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"Retry.MaxAttempts", int64(p.MaxAttempts)},
		{"Retry.InitialInterval", int64(p.InitialInterval)},
		{"Retry.MaxInterval", int64(p.MaxInterval)},
		{"Retry.MaxElapsed", int64(p.MaxElapsed)},
		{"AttemptTimeout", int64(opts.AttemptTimeout)},
	} {
		if f.v < 0 {
			return nil, fmt.Errorf("broadcast: Options.%s: negative", f.name)
		}
	}
	b := &Broadcaster{
		channels: append([]Channel(nil), channels...),
		retry: RetryPolicy{
			MaxAttempts:     orDefault(p.MaxAttempts, DefaultMaxAttempts),
			InitialInterval: orDefault(p.InitialInterval, DefaultInitialInterval),
			MaxInterval:     orDefault(p.MaxInterval, DefaultMaxInterval),
			MaxElapsed:      orDefault(p.MaxElapsed, DefaultMaxElapsed),
		},
		timeout: orDefault(opts.AttemptTimeout, DefaultAttemptTimeout),
		store:   opts.Store,
		logger:  opts.Logger,
		onEvent: opts.OnEvent,
	}
	if b.store == nil {
		b.store = NewMemoryStore()
	}
	b.retry.MaxInterval = max(b.retry.MaxInterval, b.retry.InitialInterval)
	return b, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Channels returns the names of the Broadcaster's channels, in order.
func (b *Broadcaster) Channels() []string {
	names := make([]string, len(b.channels))
	for i, ch := range b.channels {
		names[i] = ch.Name()
	}
	return names
}

// Send validates u, fills in its defaults (see Update.WithDefaults) and
// delivers it to every channel concurrently, each with its own retries.
//
// An invalid update reaches no channel: Send returns a nil Report and an
// error wrapping ErrInvalidUpdate. Otherwise the Report holds one Result per
// channel, in the Broadcaster's order, and the error joins one
// *DeliveryError per channel that failed; it is nil only when every channel
// delivered or was skipped. When ctx is done, waits end at once and Send
// returns after the attempts under way have returned.
func (b *Broadcaster) Send(ctx context.Context, u Update) (*Report, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return nil, ErrClosed
	}
	start := time.Now()
	u = u.WithDefaults(start.UTC().Round(0))
	rep := &Report{UpdateID: u.ID, IncidentID: u.IncidentID, Started: start,
		Results: make([]Result, len(b.channels))}

	fls := b.flights.join(u.ID, b.channels)
	var wg sync.WaitGroup
	for i := 1; i < len(b.channels); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.Results[i] = b.deliver(ctx, b.channels[i], fls[i], u)
		}()
	}
	rep.Results[0] = b.deliver(ctx, b.channels[0], fls[0], u)
	wg.Wait()
	b.flights.leave(u.ID, b.channels, fls)
	rep.Finished = time.Now()

	var errs []error
	for i := range rep.Results {
		if err := rep.Results[i].Err; err != nil {
			errs = append(errs, &DeliveryError{Channel: rep.Results[i].Channel,
				Attempts: rep.Results[i].Attempts, Err: err})
		}
	}
	return rep, errors.Join(errs...)
}

// Preview renders u for every channel that implements Previewer, without
// sending anything; other channels are left out. It validates u first.
func (b *Broadcaster) Preview(u Update) ([]Preview, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return nil, ErrClosed
	}
	u = u.WithDefaults(time.Now().UTC().Round(0))
	var out []Preview
	var errs []error
	for _, ch := range b.channels {
		pv, ok := ch.(Previewer)
		if !ok {
			continue
		}
		p, err := pv.Preview(u)
		if err != nil {
			errs = append(errs, fmt.Errorf("broadcast: preview %s: %w", ch.Name(), err))
			continue
		}
		if p.Channel == "" {
			p.Channel = ch.Name()
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// Close closes every channel that implements io.Closer and makes later
// Sends fail with ErrClosed. It waits for Sends under way, retry waits
// included: cancel their contexts first for a prompt shutdown. Calling it
// again does nothing.
func (b *Broadcaster) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	for _, ch := range b.channels {
		if c, ok := ch.(io.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("broadcast: close %s: %w", ch.Name(), err))
			}
		}
	}
	return errors.Join(errs...)
}
