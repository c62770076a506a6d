package broadcast

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// gatedPosts is a Retractor whose first attempt of "old" fails, and whose
// Send of "new" waits for release after saying so on inNew.
type gatedPosts struct {
	inNew, release chan struct{}

	mu       sync.Mutex
	posted   []string
	retracts []Receipt
	failed   bool
}

func (c *gatedPosts) Name() string { return "c" }

func (c *gatedPosts) Send(_ context.Context, m Message) (Receipt, error) {
	if m.Update.ID == "new" {
		close(c.inNew)
		<-c.release
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Update.ID == "old" && !c.failed {
		c.failed = true
		return Receipt{}, errors.New("connection reset")
	}
	c.posted = append(c.posted, m.Update.ID)
	return Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *gatedPosts) Retract(_ context.Context, prev Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retracts = append(c.retracts, prev)
	return nil
}

// An older update waiting to retry is not superseded by a newer one that
// a Retract stopped during its own delivery: the newer post is deleted
// once its attempt ends, and the older one is then the incident's latest
// word on the channel, so it is posted. Options.Lock holds the older
// update's retry until the Retract has returned, so that both orders of
// the retry and the retraction's deletion are not left to chance.
func TestRetractedNewerUpdateSupersedesNothing(t *testing.T) {
	c := &gatedPosts{inNew: make(chan struct{}), release: make(chan struct{})}
	retracted := make(chan struct{}) // closed once Retract("new") returned
	b, oldWaits := heldRetryBroadcaster(t, c, retracted)
	ctx := context.Background()
	older, newer := retractTestUpdate("old"), retractTestUpdate("new")
	newer.Time = older.Time.Add(time.Minute)
	oldRep := sendOlder(b, older, oldWaits) // its first attempt failed: it waits to retry
	newRep := make(chan *Report, 1)
	go func() {
		rep, _ := b.Send(ctx, newer)
		newRep <- rep
	}()
	<-c.inNew
	retractErr := make(chan error, 1)
	go func() {
		_, err := b.Retract(ctx, "new")
		retractErr <- err
	}()
	for !b.flights.waiting("new", "c") { // the Retract waits for the attempt under way
		runtime.Gosched()
	}
	close(c.release)
	if rep := <-newRep; rep.Results[0].Err != nil {
		t.Fatalf("Send(new): %v", rep.Results[0].Err)
	}
	if err := <-retractErr; err != nil {
		t.Fatalf("Retract(new): %v", err)
	}
	close(retracted)
	res := (<-oldRep).Results[0]
	if res.Superseded || res.Err != nil {
		t.Fatalf("older update: Superseded %v, Err %v; want delivered: the newer one was retracted", res.Superseded, res.Err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.retracts) != 1 || c.retracts[0].ID != "post-new" {
		t.Errorf("retracted %v, want post-new", c.retracts)
	}
	if len(c.posted) != 2 || c.posted[1] != "old" {
		t.Errorf("posted %v, want new, then old", c.posted)
	}
}

// slowRetract is gatedPosts whose Retract says so on inRetract, then waits
// for finish.
type slowRetract struct {
	gatedPosts
	inRetract, finish chan struct{}
	thread            Thread // the Thread of the Send of "old" that posted
}

func (c *slowRetract) Send(ctx context.Context, m Message) (Receipt, error) {
	r, err := c.gatedPosts.Send(ctx, m)
	if err == nil && m.Update.ID == "old" {
		c.mu.Lock()
		c.thread = m.Thread
		c.mu.Unlock()
	}
	return r, err
}

func (c *slowRetract) Retract(ctx context.Context, prev Receipt) error {
	close(c.inRetract)
	<-c.finish
	return c.gatedPosts.Retract(ctx, prev)
}

// An older update whose retry comes while a Retract of the newer one is
// deleting its post (the platform's call under way, its record not yet
// written) waits for the Retract to end: the post deleted, it is not
// superseded by that post, nor threaded under it. (Posted at once, it
// would come after the newer post should the deletion fail: see
// TestOlderUpdateWaitsForTheRetractionOfANewer.)
func TestNewerUpdateBeingRetractedSupersedesNothing(t *testing.T) {
	c := &slowRetract{gatedPosts: gatedPosts{inNew: make(chan struct{}), release: make(chan struct{})},
		inRetract: make(chan struct{}), finish: make(chan struct{})}
	close(c.release)
	b, oldWaits := heldRetryBroadcaster(t, c, c.inRetract) // the retry: while the Retract deletes the newer post
	ctx := context.Background()
	older, newer := retractTestUpdate("old"), retractTestUpdate("new")
	newer.Time = older.Time.Add(time.Minute)
	oldRep := sendOlder(b, older, oldWaits)
	if rep, err := b.Send(ctx, newer); err != nil {
		t.Fatalf("Send(new): %v", err)
	} else if rep.Results[0].Superseded {
		t.Fatal("Send(new): superseded")
	}
	retractErr := make(chan error, 1)
	go func() {
		_, err := b.Retract(ctx, "new")
		retractErr <- err
	}()
	close(c.finish) // the older update's retry waits for the Retract, or comes after it
	if err := <-retractErr; err != nil {
		t.Fatalf("Retract(new): %v", err)
	}
	res := (<-oldRep).Results[0]
	if res.Superseded || res.Err != nil {
		t.Fatalf("older update: Superseded %v, Err %v; want delivered: the newer one was being retracted", res.Superseded, res.Err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.thread.Last.UpdateID == "new" || c.thread.Root.UpdateID == "new" {
		t.Errorf("older update threaded under the post being retracted: %+v", c.thread)
	}
}

// heldRetryBroadcaster returns a Broadcaster of c, closed when the test
// ends, whose Options.Lock holds the retry of update "old" on channel "c"
// (its second attempt) until gate is closed, or its ctx ends; and a
// channel closed once "old" waits to retry.
func heldRetryBroadcaster(t *testing.T, c Channel, gate <-chan struct{}) (*Broadcaster, <-chan struct{}) {
	var mu sync.Mutex
	oldLocks := 0
	lock := func(ctx context.Context, k LockKey) (func(), error) {
		if k.UpdateID == "old" && k.Channel == "c" {
			mu.Lock()
			oldLocks++
			n := oldLocks
			mu.Unlock()
			if n == 2 { // the retry
				select {
				case <-gate:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
		return func() {}, nil
	}
	oldWaits := make(chan struct{})
	var once sync.Once
	onEvent := func(e Event) {
		if e.Kind == EventRetry && e.UpdateID == "old" {
			once.Do(func() { close(oldWaits) })
		}
	}
	b, err := New([]Channel{c}, Options{Lock: lock, OnEvent: onEvent,
		Retry: RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxElapsed: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, oldWaits
}

// sendOlder sends older on b and returns once waits is closed (its first
// attempt failed: it waits to retry); its Report comes on the channel
// returned.
func sendOlder(b *Broadcaster, older Update, waits <-chan struct{}) <-chan *Report {
	rep := make(chan *Report, 1)
	go func() {
		r, _ := b.Send(context.Background(), older)
		rep <- r
	}()
	<-waits
	return rep
}

// editedPosts is gatedPosts that edits a post in place: its receipt is the
// same post.
type editedPosts struct{ gatedPosts }

func (c *editedPosts) Edit(_ context.Context, m Message, prev Receipt) (Receipt, error) {
	return Receipt{ID: prev.ID}, nil
}

// Retracting an in-place correction deletes the post it shares with the
// update it corrected: that update then supersedes nothing either, and
// an older update waiting to retry is posted.
func TestRetractedInPlaceCorrectionSupersedesNothing(t *testing.T) {
	c := &editedPosts{gatedPosts{inNew: make(chan struct{}), release: make(chan struct{})}}
	close(c.release)
	retracted := make(chan struct{})
	b, oldWaits := heldRetryBroadcaster(t, c, retracted)
	ctx := context.Background()
	older, newer := retractTestUpdate("old"), retractTestUpdate("new")
	newer.Time = older.Time.Add(time.Minute)
	oldRep := sendOlder(b, older, oldWaits)
	if _, err := b.Send(ctx, newer); err != nil {
		t.Fatalf("Send(new): %v", err)
	}
	fix := retractTestUpdate("fix")
	fix.Time = newer.Time
	if rep, err := b.Correct(ctx, "new", fix); err != nil || !rep.Results[0].Edited {
		t.Fatalf("Correct(new): %v; want edited in place", err)
	}
	if _, err := b.Retract(ctx, "fix"); err != nil {
		t.Fatalf("Retract(fix): %v", err)
	}
	close(retracted)
	res := (<-oldRep).Results[0]
	if res.Superseded || res.Err != nil {
		t.Fatalf("older update: Superseded %v, Err %v; want delivered: the post of the newer one was deleted", res.Superseded, res.Err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.retracts) != 1 || c.retracts[0].ID != "post-new" {
		t.Errorf("retracted %v, want post-new", c.retracts)
	}
}

// A retraction forgets, as the newest update, only the update whose post
// it deleted: a fan-out receipt's ID is its first target's post ID, which
// another chat may also use for a post of another incident's update; the
// receipt's Meta tells them apart.
func TestForgetPostOnlyThatPost(t *testing.T) {
	var n newest
	var x, y watcher
	n.watch(&x, "incident-x", "telegram", nil)
	n.watch(&y, "incident-y", "telegram", nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n.delivered(Update{ID: "u1", IncidentID: "incident-x", Time: at}, at, "telegram",
		Receipt{ID: "42", Meta: map[string]string{"chat:-100a": "42"}})
	n.delivered(Update{ID: "v1", IncidentID: "incident-y", Time: at}, at.Add(1), "telegram",
		Receipt{ID: "42", Meta: map[string]string{"chat:-100b": "42"}})
	n.forgetPost(Receipt{ID: "42", Meta: map[string]string{"chat:-100b": "42"}}, "telegram")
	if x.e.id != "u1" {
		t.Errorf("incident-x's newest: %q, want u1: its post was not deleted", x.e.id)
	}
	if y.e.id != "" {
		t.Errorf("incident-y's newest: %q, want none: its post was deleted", y.e.id)
	}
}
