package broadcast

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// walkStore counts the reads of the links from a post to the one before
// it (see previousKey), and fails them when told to.
type walkStore struct {
	*MemoryStore
	fail  atomic.Bool
	reads atomic.Int64
}

func (s *walkStore) Receipt(ctx context.Context, u, ch string) (Receipt, bool, error) {
	if strings.HasPrefix(u, previousKey("")) {
		s.reads.Add(1)
		if s.fail.Load() {
			return Receipt{}, false, errors.New("disk I/O error")
		}
	}
	return s.MemoryStore.Receipt(ctx, u, ch)
}

// regionPosts is a Retractor that posts to three regions, whose
// deletions fail in the regions of undeletable.
type regionPosts struct {
	mu          sync.Mutex
	undeletable map[string]bool
	posted      []string // region/update
}

var walkRegions = []string{"eu", "us", "ap"}

func (c *regionPosts) Name() string { return "x" }

func (c *regionPosts) Send(_ context.Context, m Message) (Receipt, error) {
	f := NewFanout(m, walkRegions)
	for _, i := range f.Todo() {
		r := walkRegions[i]
		c.mu.Lock()
		c.posted = append(c.posted, r+"/"+m.Update.ID)
		c.mu.Unlock()
		f.Posted(i, Receipt{ID: r + "-" + m.Update.ID, Meta: map[string]string{"post." + r: m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *regionPosts) Retract(_ context.Context, prev Receipt) error {
	var targets []string
	for _, r := range walkRegions {
		if _, ok := prev.Meta["post."+r]; ok {
			targets = append(targets, r)
		}
	}
	f := NewFanout(Message{}, targets)
	for _, i := range f.Todo() {
		c.mu.Lock()
		down := c.undeletable[targets[i]]
		c.mu.Unlock()
		if down {
			f.Report(i, Permanent(errors.New("403 Forbidden")))
		} else {
			f.Report(i, nil)
		}
	}
	return f.Err()
}

func (c *regionPosts) postsOf(update string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.posted {
		if strings.HasSuffix(p, "/"+update) {
			out = append(out, p)
		}
	}
	return out
}

func newWalkBroadcaster(t *testing.T) (*walkStore, *regionPosts, *Broadcaster) {
	t.Helper()
	s := &walkStore{MemoryStore: NewMemoryStore()}
	c := &regionPosts{undeletable: map[string]bool{}}
	b, err := New([]Channel{c}, Options{Store: s, Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return s, c, b
}

// An older update sent while a newer one is up on every target, nothing
// deleted, is superseded without a walk back the thread's links: the walk
// past a partly deleted post costs nothing on a plain Send.
func TestSupersededSendReadsNoLinksWhenNothingWasDeleted(t *testing.T) {
	ctx := context.Background()
	s, c, b := newWalkBroadcaster(t)
	newer, older := retractTestUpdate("new"), retractTestUpdate("old")
	newer.Time = older.Time.Add(time.Minute)
	if _, err := b.Send(ctx, newer); err != nil {
		t.Fatal(err)
	}
	s.reads.Store(0)
	rep, err := b.Send(ctx, older)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Results[0].Superseded {
		t.Fatalf("want superseded: %+v", rep.Results[0])
	}
	if n := s.reads.Load(); n != 0 {
		t.Errorf("%d reads of the links between posts", n)
	}
	if p := c.postsOf("old"); len(p) != 0 {
		t.Errorf("old posted: %v", p)
	}
}

// A Store that cannot read the link from the thread's latest post,
// deleted on some targets only, to the post before it, which supersedes
// the older update sent now, fails that Send: it is posted nowhere, not
// on the targets where the latest post was deleted, after the newer post
// before it.
func TestSupersededBehindPartlyDeletedPostLinkUnread(t *testing.T) {
	ctx := context.Background()
	s, c, b := newWalkBroadcaster(t)
	e := retractTestUpdate("e")
	e.Time = e.Time.Add(time.Minute)
	if _, err := b.Send(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c1", "c2"} {
		fix := retractTestUpdate(id)
		fix.Time, fix.Body = time.Time{}, "Corrected."
		if _, err := b.Correct(ctx, "e", fix); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Retract(ctx, "e"); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.undeletable["us"], c.undeletable["ap"] = true, true
	c.mu.Unlock()
	if _, err := b.Retract(ctx, "c2"); err == nil {
		t.Fatal("c2 is deleted on eu only: want an error")
	}
	c.mu.Lock()
	clear(c.undeletable)
	c.mu.Unlock()

	s.fail.Store(true)
	d := retractTestUpdate("d")
	rep, _ := b.Send(ctx, d)
	if r := rep.Results[0]; r.Err == nil && !r.Superseded {
		t.Errorf("want an error or superseded: %+v", r)
	}
	if err := rep.Results[0].Err; err != nil && !strings.Contains(err.Error(), "the post before c2") {
		t.Errorf("the error does not name the link unread: %v", err)
	}
	if p := c.postsOf("d"); len(p) != 0 {
		t.Errorf("d posted: %v", p)
	}
	if s.reads.Load() == 0 {
		t.Error("no link read: the test does not reach the walk")
	}
}
