package broadcast

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// hangingEditor's Retract hangs until out is closed, or until the channel
// is called while it hangs (then it notes the overlap).
type hangingEditor struct {
	mu         sync.Mutex
	retracting bool
	overlap    bool // Send or Edit called while Retract ran
	calls      int
	in, out    chan struct{}
	called     chan struct{}
	once       sync.Once
}

func (h *hangingEditor) Name() string { return "slack" }

func (h *hangingEditor) Send(context.Context, Message) (Receipt, error) {
	h.call()
	return Receipt{ID: "post"}, nil
}

func (h *hangingEditor) Edit(_ context.Context, _ Message, prev Receipt) (Receipt, error) {
	h.call()
	return prev, nil
}

func (h *hangingEditor) call() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.retracting {
		h.overlap = true
		h.once.Do(func() { close(h.called) })
	}
}

func (h *hangingEditor) Retract(context.Context, Receipt) error {
	h.mu.Lock()
	h.retracting = true
	h.mu.Unlock()
	close(h.in)
	select {
	case <-h.out:
	case <-h.called:
	}
	h.mu.Lock()
	h.retracting = false
	h.mu.Unlock()
	return nil
}

// A Correct that starts while a Retract of its original deletes the post
// waits for it, then finds the post gone and refuses: it neither edits the
// post being deleted nor posts a correction of it anew.
func TestCorrectWaitsForRetractOfOriginal(t *testing.T) {
	ch := &hangingEditor{in: make(chan struct{}), out: make(chan struct{}), called: make(chan struct{})}
	b, err := New([]Channel{ch}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	u := retractTestUpdate("orig")
	if _, err := b.Send(ctx, u); err != nil {
		t.Fatal(err)
	}
	retracted := make(chan error, 1)
	go func() {
		_, err := b.Retract(ctx, "orig")
		retracted <- err
	}()
	<-ch.in
	var rep *Report
	corrected := make(chan struct{})
	go func() {
		defer close(corrected)
		fix := u
		fix.ID, fix.Body = "fix", "Corrected."
		rep, _ = b.Correct(ctx, "orig", fix)
	}()
	// Either the correction waits for the retraction (the fix) or it
	// called the channel meanwhile, which ends the Retract (the defect).
	for !b.flights.waiting(opRetract.markID("orig"), "slack") {
		select {
		case <-corrected:
		case <-time.After(time.Millisecond):
			continue
		}
		break
	}
	close(ch.out)
	if err := <-retracted; err != nil {
		t.Fatalf("Retract: %v", err)
	}
	<-corrected
	if ch.overlap {
		t.Fatal("the correction called the channel while the retraction deleted the post")
	}
	if err := rep.Results[0].Err; !errors.Is(err, ErrRetracted) {
		t.Errorf("correction's error = %v; want ErrRetracted", err)
	}
	if ch.calls != 1 {
		t.Errorf("channel called %d times; want 1 (the original's Send)", ch.calls)
	}
}
