package broadcast

import (
	"context"
	"maps"
	"sync"
)

// Store keeps what the Broadcaster needs to remember between attempts, sends
// and (for durable stores) restarts: the last receipt per incident and
// channel, for threading, and per-update delivery marks, for idempotency.
//
// Target "" stands for the channel as a whole; other targets are a channel's
// recipients or endpoints. A Store must be safe for concurrent use. Mark must
// have made the mark durable (as durable as the Store is) when it returns.
type Store interface {
	// LastReceipt returns channel's receipt for the latest delivered update of
	// incidentID.
	LastReceipt(ctx context.Context, incidentID, channel string) (Receipt, bool, error)
	// SaveReceipt records r (r.Channel names the channel) as the latest of
	// incidentID.
	SaveReceipt(ctx context.Context, incidentID string, r Receipt) error
	// Done reports whether target of channel was marked for updateID.
	Done(ctx context.Context, updateID, channel, target string) (bool, error)
	// Mark records that target of channel is done with updateID: delivered
	// when failure is nil, failed permanently otherwise.
	Mark(ctx context.Context, updateID, channel, target string, failure error) error
}

// FailureStore is implemented by Stores that keep why a target failed, so
// that a later attempt can tell a target delivered earlier from one that
// failed permanently earlier. MemoryStore and boltstore implement it.
type FailureStore interface {
	// Failure returns the failure text of target's mark for updateID;
	// failed is false when target is unmarked or was delivered.
	Failure(ctx context.Context, updateID, channel, target string) (reason string, failed bool, err error)
}

// FailureLedger is implemented by the Ledger the Broadcaster hands to
// channels when its Store is a FailureStore: channels that fan out use it to
// report, on a retry, the targets that failed in an earlier attempt, and to
// tell them from targets delivered earlier.
type FailureLedger interface {
	Ledger
	// Failure returns why target failed permanently in an earlier attempt;
	// failed is false when it did not (or the Store cannot tell).
	Failure(target string) (reason string, failed bool)
}

// MemoryStore is a Store in memory: it threads and deduplicates within one
// process. Use a durable Store (broadcast/boltstore) to survive restarts.
// It keeps every mark and receipt until the process ends, a few hundred bytes
// per update, channel and target.
type MemoryStore struct {
	mu       sync.Mutex
	receipts map[receiptKey]Receipt
	marks    map[markKey]string // failure text; "" when delivered
}

type receiptKey struct{ incident, channel string }
type markKey struct{ update, channel, target string }

var _ FailureStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{receipts: map[receiptKey]Receipt{}, marks: map[markKey]string{}}
}

// LastReceipt implements Store.
func (s *MemoryStore) LastReceipt(_ context.Context, incidentID, channel string) (Receipt, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.receipts[receiptKey{incidentID, channel}]
	r.Meta = maps.Clone(r.Meta)
	return r, ok, nil
}

// SaveReceipt implements Store.
func (s *MemoryStore) SaveReceipt(_ context.Context, incidentID string, r Receipt) error {
	r.Meta = maps.Clone(r.Meta)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.receipts[receiptKey{incidentID, r.Channel}] = r
	return nil
}

// Done implements Store.
func (s *MemoryStore) Done(_ context.Context, updateID, channel, target string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.marks[markKey{updateID, channel, target}]
	return ok, nil
}

// Failure implements FailureStore.
func (s *MemoryStore) Failure(_ context.Context, updateID, channel, target string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, ok := s.marks[markKey{updateID, channel, target}]
	return text, ok && text != "", nil
}

// Mark implements Store.
func (s *MemoryStore) Mark(_ context.Context, updateID, channel, target string, failure error) error {
	text := ""
	if failure != nil {
		text = failure.Error()
		if text == "" {
			text = "failed"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks[markKey{updateID, channel, target}] = text
	return nil
}

// storeLedger is the Ledger handed to a channel: the Store, seen through one
// update and channel. Marks use a context that is not cancelled with the
// Send, so a delivery that happened is recorded even as the caller gives up.
// It also remembers the targets delivered and failed permanently during
// this Send, for the Result.
type storeLedger struct {
	ctx     context.Context
	store   Store
	update  string
	channel string

	mu        sync.Mutex
	delivered []string
	failed    []TargetFailure
}

func (l *storeLedger) Done(target string) bool {
	done, err := l.store.Done(l.ctx, l.update, l.channel, target)
	return err == nil && done
}

func (l *storeLedger) MarkDelivered(target string) error {
	l.mu.Lock()
	l.delivered = append(l.delivered, target)
	l.mu.Unlock()
	return l.store.Mark(l.ctx, l.update, l.channel, target, nil)
}

func (l *storeLedger) MarkFailed(target string, err error) error {
	if err == nil {
		err = errFailedUnknown
	}
	l.mu.Lock()
	l.failed = append(l.failed, TargetFailure{Target: target, Err: err})
	l.mu.Unlock()
	return l.store.Mark(l.ctx, l.update, l.channel, target, err)
}

// failureLedger is a storeLedger over a FailureStore.
type failureLedger struct {
	*storeLedger
	fs FailureStore
}

func (l failureLedger) Failure(target string) (string, bool) {
	text, failed, err := l.fs.Failure(l.ctx, l.update, l.channel, target)
	return text, err == nil && failed
}

// newLedger returns the Ledger for one delivery of update to channel, a
// FailureLedger when store can tell failures apart.
func newLedger(ctx context.Context, store Store, update, channel string) (*storeLedger, Ledger) {
	l := &storeLedger{ctx: ctx, store: store, update: update, channel: channel}
	if fs, ok := store.(FailureStore); ok {
		return l, failureLedger{storeLedger: l, fs: fs}
	}
	return l, l
}

// outcome returns the targets marked delivered and failed during this Send.
func (l *storeLedger) outcome() ([]string, []TargetFailure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.delivered, l.failed
}
