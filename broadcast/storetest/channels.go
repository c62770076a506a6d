package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// fast keeps the retries of the Broadcaster rules quick: a few milliseconds
// per Send.
var fast = broadcast.RetryPolicy{
	MaxAttempts:     4,
	InitialInterval: time.Millisecond,
	MaxInterval:     4 * time.Millisecond,
	MaxElapsed:      time.Minute,
}

// Errors of the fake channels.
var (
	errTryLater = errors.New("451 4.3.0 try again later")
	errNoUser   = broadcast.Permanent(errors.New("550 5.1.1 <bad@example.com>: no such user"))
)

// newBroadcaster returns a Broadcaster of chs over s with fast retries,
// closed at cleanup.
func newBroadcaster(t *testing.T, s broadcast.Store, chs ...broadcast.Channel) *broadcast.Broadcaster {
	t.Helper()
	b, err := broadcast.New(chs, broadcast.Options{Store: s, Retry: fast})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	return b
}

// update returns update "u<n>" of incident "inc-1", written n minutes into
// it, so that a higher n is a newer update.
func update(n int) broadcast.Update {
	return broadcast.Update{
		ID:         fmt.Sprint("u", n),
		IncidentID: "inc-1",
		Title:      "Elevated CDN error rates",
		Status:     broadcast.StatusInvestigating,
		Body:       fmt.Sprintf("Update %d.", n),
		Time:       time.Date(2025, 3, 14, 15, n, 0, 0, time.UTC),
	}
}

// poster is a channel that posts as a whole (X, IRC): each call delivers,
// unless errs holds an error for it, and gets receipt "<name>-<call>". As
// an Editor and a Retractor, it records the posts it was asked to change.
type poster struct {
	name string
	errs []error // per call of Send; nil or past the end: delivered
	// retractErrs: per call of Retract; nil or past the end: deleted
	retractErrs []error

	mu        sync.Mutex
	msgs      []broadcast.Message
	edited    []broadcast.Receipt
	retracted []broadcast.Receipt
}

// channel returns p as a plain Channel, without Edit and Retract.
func (p *poster) channel() broadcast.Channel { return broadcast.ChannelFunc(p.name, p.Send) }

func (p *poster) Name() string { return p.name }

func (p *poster) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	if n := len(p.msgs); n <= len(p.errs) && p.errs[n-1] != nil {
		return broadcast.Receipt{}, p.errs[n-1]
	}
	return broadcast.Receipt{ID: fmt.Sprintf("%s-%d", p.name, len(p.msgs)), URL: "https://example.com/" + p.name}, nil
}

func (p *poster) Edit(_ context.Context, _ broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.edited = append(p.edited, prev)
	return broadcast.Receipt{ID: prev.ID, URL: prev.URL}, nil
}

func (p *poster) Retract(_ context.Context, prev broadcast.Receipt) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retracted = append(p.retracted, prev)
	if n := len(p.retracted); n <= len(p.retractErrs) && p.retractErrs[n-1] != nil {
		return p.retractErrs[n-1]
	}
	return nil
}

// calls returns the messages Send was given so far.
func (p *poster) calls() []broadcast.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]broadcast.Message(nil), p.msgs...)
}

// changes returns the posts Edit and Retract were asked to change so far.
func (p *poster) changes() (edited, retracted []broadcast.Receipt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]broadcast.Receipt(nil), p.edited...), append([]broadcast.Receipt(nil), p.retracted...)
}

// fan is a channel with many targets (e-mail recipients, webhook
// endpoints), built on broadcast.NewFanout as adapters are. It records how
// often each target was sent to and what the Ledger said in each call.
type fan struct {
	name    string
	targets []string
	fail    map[string][]error // per target, per send to it; nil or past the end: delivered
	posts   bool               // each target's post is kept in the Ledger (Fanout.Posted) and named in the receipt
	// undeletable: per target, the error of every Retract of its post
	// (the fan with posts, whose receipts name them); nil: deleted.
	undeletable map[string]error

	mu        sync.Mutex
	tried     map[string]int
	seen      []map[string]answer // per call, the Ledger's answers by target
	retracted []broadcast.Receipt // the prev of each Retract
}

// answer is one answer of Ledger.Done.
type answer struct {
	done    bool
	failure string
}

func newFan(name string, targets ...string) *fan {
	return &fan{name: name, targets: targets, fail: map[string][]error{}, tried: map[string]int{}}
}

func (f *fan) channel() broadcast.Channel { return broadcast.ChannelFunc(f.name, f.send) }

// retractor returns f as a channel that is also a broadcast.Retractor,
// recording the receipt of each Retract.
func (f *fan) retractor() broadcast.Channel { return fanRetractor{f} }

// retractedPosts returns the receipts Retract was given so far.
func (f *fan) retractedPosts() []broadcast.Receipt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]broadcast.Receipt(nil), f.retracted...)
}

type fanRetractor struct{ f *fan }

func (r fanRetractor) Name() string { return r.f.name }

func (r fanRetractor) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return r.f.send(ctx, m)
}

func (r fanRetractor) Retract(_ context.Context, prev broadcast.Receipt) error {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.f.retracted = append(r.f.retracted, prev)
	if r.f.undeletable == nil {
		return nil
	}
	var targets []string
	for _, t := range r.f.targets {
		if _, ok := prev.Meta["post "+t]; ok {
			targets = append(targets, t)
		}
	}
	fo := broadcast.NewFanout(broadcast.Message{}, targets) // no Ledger, as adapters delete
	for _, i := range fo.Todo() {
		fo.Report(i, r.f.undeletable[targets[i]])
	}
	return fo.Err()
}

func (f *fan) send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]answer{}
	f.seen = append(f.seen, seen)
	m.Ledger = recorder{Ledger: m.Ledger, seen: seen}
	fo := broadcast.NewFanout(m, f.targets)
	for _, i := range fo.Todo() {
		target := f.targets[i]
		n := f.tried[target]
		f.tried[target]++
		var err error
		if n < len(f.fail[target]) {
			err = f.fail[target][n]
		}
		if err == nil && f.posts {
			fo.Posted(i, postOf(target))
			continue
		}
		fo.Report(i, err)
	}
	if f.posts {
		return fo.Receipt(), fo.Err()
	}
	return broadcast.Receipt{ID: fmt.Sprintf("%s-%d", f.name, len(f.seen))}, fo.Err()
}

// postOf is what a fan with posts records of its post to target.
func postOf(target string) broadcast.Receipt {
	return broadcast.Receipt{ID: "post-" + target, URL: "https://posts.example/" + target,
		Meta: map[string]string{"post " + target: "post-" + target}}
}

// sends returns how often each target was sent to so far.
func (f *fan) sends() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, t := range f.targets {
		out[t] = f.tried[t]
	}
	return out
}

// ledger returns what the Ledger said in call i (from 0).
func (f *fan) ledger(t *testing.T, i int) map[string]answer {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Greater(t, len(f.seen), i, "the channel was called %d times", len(f.seen))
	return f.seen[i]
}

// recorder is a Ledger that records Done's answers.
type recorder struct {
	broadcast.Ledger
	seen map[string]answer
}

func (r recorder) Done(target string) (bool, string) {
	done, failure := r.Ledger.Done(target)
	r.seen[target] = answer{done, failure}
	return done, failure
}

// failing returns n copies of err.
func failing(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}
