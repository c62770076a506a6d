package broadcast

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chainStore counts, and fails when told to, the reads of the Store's
// records of what a correction corrects.
type chainStore struct {
	*MemoryStore
	fail  atomic.Bool
	reads atomic.Int64
}

func (s *chainStore) Receipt(ctx context.Context, u, ch string) (Receipt, bool, error) {
	if strings.HasPrefix(u, correctsKey("")) {
		s.reads.Add(1)
		if s.fail.Load() {
			return Receipt{}, false, errors.New("disk I/O error")
		}
	}
	return s.MemoryStore.Receipt(ctx, u, ch)
}

// currentLog records each Message's Current.
type currentLog struct {
	mu      sync.Mutex
	current []bool
}

func (c *currentLog) channel() Channel {
	return ChannelFunc("x", func(_ context.Context, m Message) (Receipt, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.current = append(c.current, m.Current())
		return Receipt{ID: m.Update.ID}, nil
	})
}

func (c *currentLog) lastCurrent() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current[len(c.current)-1]
}

func chainCorrect(t *testing.T, b *Broadcaster, original, id string) {
	t.Helper()
	u := retractTestUpdate(id)
	u.Time, u.Body = time.Time{}, "Corrected."
	rep, err := b.Correct(context.Background(), original, u)
	if err != nil || rep.Results[0].Err != nil {
		t.Fatalf("correct %s: %v %v", original, err, rep.Results[0].Err)
	}
}

// newCurrentLogged returns a Broadcaster with opts over one channel
// that logs each post's Current, closed when t ends.
func newCurrentLogged(t *testing.T, opts Options) (*currentLog, *Broadcaster) {
	t.Helper()
	rec := &currentLog{}
	b, err := New([]Channel{rec.channel()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return rec, b
}

// A hand-edited or damaged Store whose records of what corrections
// correct make a cycle (a corrects c2, which corrects c1, which corrects
// a): the walk up a correction's chain ends after maxCorrectionChain
// links, and the correction is posted, not current: the safe answer of
// a walk that ran out (see correctsOlder).
func TestCorrectionChainCycleIsBounded(t *testing.T) {
	s := &chainStore{MemoryStore: NewMemoryStore()}
	rec, b := newCurrentLogged(t, Options{Store: s})
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("a")); err != nil {
		t.Fatal(err)
	}
	chainCorrect(t, b, "a", "c1")
	chainCorrect(t, b, "c1", "c2")
	if err := s.SaveReceipt(ctx, "", correctsKey("a"), Receipt{ID: "c2", Channel: sentChannel}); err != nil {
		t.Fatal(err)
	}
	s.reads.Store(0)
	chainCorrect(t, b, "c2", "c3")
	if rec.lastCurrent() {
		t.Error("c3's chain cannot be walked to its start: want not current")
	}
	if n := s.reads.Load(); n > 2*maxCorrectionChain {
		t.Errorf("%d reads of what corrections correct for one Correct", n)
	}
}

// A record of what a correction corrects that cannot be read ends the
// walk up the chain, as correctsOlder says: logged, the correction is posted
// and not taken for current, the safe answer.
func TestCorrectionChainReadErrorLogged(t *testing.T) {
	s := &chainStore{MemoryStore: NewMemoryStore()}
	var logged bytes.Buffer
	rec, b := newCurrentLogged(t, Options{Store: s, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("a")); err != nil {
		t.Fatal(err)
	}
	chainCorrect(t, b, "a", "c1")
	s.fail.Store(true)
	chainCorrect(t, b, "c1", "c2")
	if rec.lastCurrent() {
		t.Error("want not current when the chain cannot be read")
	}
	if !strings.Contains(logged.String(), "read what c1 corrects") {
		t.Errorf("not logged: %q", logged.String())
	}
}

// linkStore counts the reads of the Store's links to the post before
// another (see linkPrevious).
type linkStore struct {
	*MemoryStore
	reads atomic.Int64
}

func (s *linkStore) Receipt(ctx context.Context, u, ch string) (Receipt, bool, error) {
	if strings.HasPrefix(u, previousKey("")) {
		s.reads.Add(1)
	}
	return s.MemoryStore.Receipt(ctx, u, ch)
}

// A hand-edited or damaged Store whose links between two corrections'
// posts of one Time make a cycle (c1 after c2, c2 after c1): an update of
// that Time sent again ends lastPlace's walk after maxThreadWalk links.
func TestLastPlaceLinkCycleIsBounded(t *testing.T) {
	s := &linkStore{MemoryStore: NewMemoryStore()}
	_, b := newCurrentLogged(t, Options{Store: s})
	ctx := context.Background()
	u, n, m := retractTestUpdate("u"), retractTestUpdate("n"), retractTestUpdate("m")
	n.Time = u.Time.Add(time.Minute)
	m.Time = n.Time
	for _, up := range []Update{u, n} {
		if _, err := b.Send(ctx, up); err != nil {
			t.Fatal(err)
		}
	}
	chainCorrect(t, b, "u", "c1")
	chainCorrect(t, b, "u", "c2") // after c1, with n's Time
	c2, ok, err := s.Receipt(ctx, "c2", "x")
	if err != nil || !ok || !c2.UpdateTime.Equal(n.Time) {
		t.Fatalf("receipt of c2: %+v %v %v", c2, ok, err)
	}
	if err := s.SaveReceipt(ctx, threadLinks, previousKey("c1"), c2); err != nil {
		t.Fatal(err)
	}
	s.reads.Store(0)
	if _, err := b.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if n := s.reads.Load(); n < maxThreadWalk || n > maxThreadWalk+4 {
		t.Errorf("%d reads of links for one Send: want the walk's %d and a few", n, maxThreadWalk)
	}
}
