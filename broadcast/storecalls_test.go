package broadcast_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// callTally is a Store that counts each call by method and by the kind of
// key it names (a channel's delivery mark, a bookkeeping record), so that
// what a Send asks of its Store is written down.
type callTally struct {
	broadcast.Store
	mu    sync.Mutex
	calls map[string]int
}

func (s *callTally) add(method, channel, target string) {
	kind := "channel"
	switch {
	case strings.HasPrefix(channel, "\x00"), strings.HasPrefix(target, "\x00"):
		kind = "record"
	case target != "":
		kind = "target"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[method+" "+kind]++
}

func (s *callTally) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

func (s *callTally) Thread(ctx context.Context, incident, channel string) (broadcast.Thread, error) {
	s.add("Thread", channel, "")
	return s.Store.Thread(ctx, incident, channel)
}

func (s *callTally) SaveReceipt(ctx context.Context, incident, update string, r broadcast.Receipt) error {
	s.add("SaveReceipt", r.Channel, "")
	return s.Store.SaveReceipt(ctx, incident, update, r)
}

func (s *callTally) Receipt(ctx context.Context, update, channel string) (broadcast.Receipt, bool, error) {
	s.add("Receipt", channel, "")
	return s.Store.Receipt(ctx, update, channel)
}

func (s *callTally) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	s.add("Done", channel, target)
	return s.Store.Done(ctx, update, channel, target)
}

func (s *callTally) Mark(ctx context.Context, update, channel, target string, failure error) error {
	s.add("Mark", channel, target)
	return s.Store.Mark(ctx, update, channel, target, failure)
}

func tallyString(c map[string]int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, c[k])
	}
	return b.String()
}

// TestFirstSendStoreCalls writes down what a first Send of an update to
// ten channels that do nothing asks of its Store (BenchmarkSend's Send), by
// method and kind of key, and a second Send of it: BENCHMARKS.md's
// breakdown of a Send's cost reads it. It holds the counts of reads and
// writes so that a change that adds Store calls to every Send is seen.
func TestFirstSendStoreCalls(t *testing.T) {
	ctx := context.Background()
	s := &callTally{Store: broadcast.NewMemoryStore()}
	chs := make([]broadcast.Channel, 10)
	for i := range chs {
		chs[i] = broadcast.ChannelFunc(fmt.Sprintf("ch%d", i), noop)
	}
	b, err := broadcast.New(chs, broadcast.Options{Store: s})
	require.NoError(t, err)
	defer b.Close()
	u := validUpdate()
	u.ID = "update-1"
	_, err = b.Send(ctx, u)
	require.NoError(t, err)
	first := s.take()
	_, err = b.Send(ctx, u)
	require.NoError(t, err)
	second := s.take()
	t.Logf("first Send:  %s", tallyString(first))
	t.Logf("second Send: %s", tallyString(second))
	total := func(c map[string]int, write bool) int {
		n := 0
		for k, v := range c {
			isWrite := strings.HasPrefix(k, "Mark ") || strings.HasPrefix(k, "SaveReceipt ")
			if isWrite == write {
				n += v
			}
		}
		return n
	}
	t.Logf("first Send: %d reads, %d writes; second: %d reads, %d writes",
		total(first, false), total(first, true), total(second, false), total(second, true))
	assert.LessOrEqual(t, total(first, false), 52, "reads of a first Send")
	assert.LessOrEqual(t, total(first, true), 32, "writes of a first Send")
	assert.LessOrEqual(t, total(second, false), 41, "reads of a second Send")
	assert.Zero(t, total(second, true), "writes of a second Send")
}
