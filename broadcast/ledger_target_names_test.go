package broadcast_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// targetLogStore is a MemoryStore that counts the reads and writes of
// marks, by target.
type targetLogStore struct {
	*broadcast.MemoryStore
	mu    sync.Mutex
	calls map[string]int
}

func (s *targetLogStore) count(target string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[target]
}

func (s *targetLogStore) log(target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[target]++
}

func (s *targetLogStore) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	s.log(target)
	return s.MemoryStore.Done(ctx, updateID, channel, target)
}

func (s *targetLogStore) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	s.log(target)
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A channel's Ledger took any target name, and the Broadcaster keeps its
// own marks of the update on the channel under names starting with NUL:
// a target named "\x00attempted" read the Broadcaster's mark of an
// attempt under way as delivered, so that the channel skipped a target
// that never had the update, and a target named "\x00targets failed"
// marked delivered wrote over the Broadcaster's record that targets
// failed. The Ledger now refuses a target starting with NUL or holding a
// control character, as a Permanent error of the channel naming the
// target quoted, and neither reads nor writes the Store for it.
func TestLedgerRefusesTargetNamesOfTheBroadcastersMarks(t *testing.T) {
	for _, name := range []string{
		"\x00attempted",
		"\x00targets failed",
		"\x00not selected",
		"\x00progress\x003\x00#ok\x00line 1",
		"\x00",
		"#ops\nINFO delivered",
		"#ops\x7f",
		"#ops\u0085",
	} {
		t.Run(strconv.Quote(name), func(t *testing.T) {
			quoted := strconv.Quote(name)
			store := &targetLogStore{MemoryStore: broadcast.NewMemoryStore()}
			var (
				done                 bool
				failure              string
				before, after        int
				markErrs             []error
				postFound            bool
				goodDone, goodFailed bool
			)
			ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				before = store.count(name)
				done, failure = m.Ledger.Done(name)
				markErrs = []error{
					m.Ledger.MarkDelivered(name),
					m.Ledger.MarkFailed(name, errors.New("gone")),
					m.Ledger.MarkPosted(name, broadcast.Receipt{ID: "p1"}),
				}
				_, postFound = m.Ledger.Post(name)
				after = store.count(name)
				// A target with a proper name is unaffected.
				if d, f := m.Ledger.Done("#ok"); !d && f == "" {
					goodDone = m.Ledger.MarkDelivered("#ok") == nil
				}
				goodFailed, _ = m.Ledger.Done("#ok")
				return broadcast.Receipt{}, nil
			})
			b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
			rep, _ := b.Send(context.Background(), validUpdate())
			require.NotNil(t, rep)

			assert.Equal(t, before, after, "the Store was asked about the target")
			assert.True(t, done, "Done: a refused target is not to be sent to")
			assert.Contains(t, failure, quoted, "Done's failure names the target")
			for i, err := range markErrs {
				require.Error(t, err, "mark %d", i)
				assert.True(t, broadcast.IsPermanent(err), "mark %d: %v", i, err)
				assert.Contains(t, err.Error(), quoted, "mark %d", i)
			}
			assert.False(t, postFound, "Post")
			assert.True(t, goodDone, "a target named properly marked delivered")
			assert.True(t, goodFailed, "a target named properly is done once marked")

			r := rep.Results[0]
			require.Len(t, r.Failures, 1, "the refused target is the channel's failure: %+v", r.Failures)
			assert.Equal(t, name, r.Failures[0].Target)
			assert.True(t, broadcast.IsPermanent(r.Failures[0].Err))
			assert.Contains(t, r.Failures[0].Err.Error(), quoted)
			assert.Equal(t, []string{"#ok"}, r.Delivered)
		})
	}
}
