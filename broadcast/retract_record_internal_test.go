package broadcast

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counted is a Retractor whose first fail Sends fail transiently, and
// whose posts may fan out to rooms, of which those in down fail.
type counted struct {
	name  string
	rooms []string // none: one post per Send

	mu       sync.Mutex
	fail     int
	down     map[string]bool
	sends    int
	posts    int
	retracts []Receipt
}

func (c *counted) Name() string { return c.name }

func (c *counted) Send(_ context.Context, m Message) (Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends++
	if len(c.rooms) == 0 {
		if c.sends <= c.fail {
			return Receipt{}, errors.New("connection reset")
		}
		c.posts++
		return Receipt{ID: fmt.Sprintf("%s-%d", c.name, c.sends)}, nil
	}
	f := NewFanout(m, c.rooms)
	for _, i := range f.Todo() {
		if room := c.rooms[i]; c.down[room] {
			f.Report(i, errors.New("connection reset"))
		} else {
			c.posts++
			f.Posted(i, Receipt{ID: "post-" + room, Meta: map[string]string{"post." + room: "post-" + room}})
		}
	}
	if err := f.Err(); err != nil {
		return Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *counted) Retract(_ context.Context, prev Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retracts = append(c.retracts, prev)
	return nil
}

func (c *counted) counts() (sends, posts, retracts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends, c.posts, len(c.retracts)
}

func retractTestUpdate(id string) Update {
	return Update{ID: id, Title: "CDN errors", Status: StatusInvestigating,
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// failingPartial is a Store that fails the first write of the record of a
// delivery that reached some targets only.
type failingPartial struct {
	*MemoryStore
	failed atomic.Bool
}

func (s *failingPartial) SaveReceipt(ctx context.Context, incident, u string, r Receipt) error {
	if strings.HasPrefix(u, partialKey("")) && s.failed.CompareAndSwap(false, true) {
		return errors.New("disk full")
	}
	return s.MemoryStore.SaveReceipt(ctx, incident, u, r)
}

// A record of the targets a failed attempt reached that the Store could
// not write is written by a later attempt, even one that reaches no new
// target: otherwise a Retract would not find the posts out there.
func TestPartialRecordWrittenByALaterAttempt(t *testing.T) {
	c := &counted{name: "chat", rooms: []string{"ops", "eng"}, down: map[string]bool{"eng": true}}
	s := &failingPartial{MemoryStore: NewMemoryStore()}
	b, err := New([]Channel{c}, Options{Store: s,
		Retry: RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	_, err = b.Send(ctx, retractTestUpdate("partial"))
	if err == nil {
		t.Fatal("eng is down: want an error")
	}
	if errors.Is(err, ErrNotRecorded) {
		t.Errorf("the second attempt recorded what reached ops: %v", err)
	}
	if _, err := b.Retract(ctx, "partial"); err != nil {
		t.Fatalf("Retract: %v", err)
	}
	if _, _, retracts := c.counts(); retracts != 1 {
		t.Fatalf("Retract deleted %d posts, want ops's", retracts)
	}
	if got := c.retracts[0].Meta["post.ops"]; got != "post-ops" {
		t.Errorf("Retract was given %v, want ops's post", c.retracts[0].Meta)
	}
}
