package broadcast

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A channel whose attempt of the update ended without a definite answer
// (a connection reset: it may have posted) and left no receipt is not
// reported Skipped by Retract, as if it had never posted: its Result's
// error says the post, if there is one, could not be found to delete.
func TestRetractOfAnUnknownOutcomeIsNotSkipped(t *testing.T) {
	a := &counted{name: "a"}
	c := &counted{name: "c", fail: 1}
	b, err := New([]Channel{a, c}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("cut")); err == nil {
		t.Fatal("c's attempt fails: want an error")
	}
	rep, err := b.Retract(ctx, "cut")
	if err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("Retract: %v, want an error saying c's outcome is unknown", err)
	}
	if r := rep.Results[0]; r.Err != nil || r.Skipped {
		t.Errorf("a: Skipped %v, error %v; want its post deleted", r.Skipped, r.Err)
	}
	r := rep.Results[1]
	if r.Skipped || r.Err == nil || !IsPermanent(r.Err) {
		t.Errorf("c: Skipped %v, error %v; want a permanent error, not Skipped", r.Skipped, r.Err)
	}
	if _, _, retracts := c.counts(); retracts != 0 {
		t.Errorf("c: %d retractions without a receipt", retracts)
	}
}

// A channel whose every attempt was refused (a definite answer) posted
// nothing: Retract leaves it Skipped.
func TestRetractOfARefusedUpdateIsSkipped(t *testing.T) {
	a := &counted{name: "a"}
	refused := ChannelFunc("x", func(context.Context, Message) (Receipt, error) {
		return Receipt{}, Permanent(errors.New("400 bad request"))
	})
	b, err := New([]Channel{a, refused}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("refused")); err == nil {
		t.Fatal("x refuses the update: want an error")
	}
	rep, err := b.Retract(ctx, "refused")
	if err != nil {
		t.Fatalf("Retract: %v", err)
	}
	if r := rep.Results[1]; r.Err != nil || !r.Skipped {
		t.Errorf("x: Skipped %v, error %v; want Skipped", r.Skipped, r.Err)
	}
}

// receiptLost is a Store that cannot write the receipts of channel.
type receiptLost struct {
	*MemoryStore
	channel string
}

func (s *receiptLost) SaveReceipt(ctx context.Context, incident, u string, r Receipt) error {
	if r.Channel == s.channel {
		return errors.New("disk full")
	}
	return s.MemoryStore.SaveReceipt(ctx, incident, u, r)
}

// A channel that delivered the update, its receipt not recorded, has a
// post out there that Retract cannot find: its error wraps ErrNotRecorded,
// as Send's did, rather than saying an attempt's outcome is unknown.
func TestRetractOfADeliveryNotRecorded(t *testing.T) {
	a := &counted{name: "a"}
	c := &counted{name: "c"}
	b, err := New([]Channel{a, c}, Options{Store: &receiptLost{MemoryStore: NewMemoryStore(), channel: "c"},
		Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("lost")); !errors.Is(err, ErrNotRecorded) {
		t.Fatalf("Send: %v, want ErrNotRecorded", err)
	}
	rep, err := b.Retract(ctx, "lost")
	if !errors.Is(err, ErrNotRecorded) {
		t.Errorf("Retract: %v, want ErrNotRecorded", err)
	}
	if r := rep.Results[1]; r.Skipped || !errors.Is(r.Err, ErrNotRecorded) || !IsPermanent(r.Err) {
		t.Errorf("c: Skipped %v, error %v; want a permanent error wrapping ErrNotRecorded", r.Skipped, r.Err)
	}
}
