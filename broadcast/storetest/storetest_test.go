package storetest_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mapStore is a small Store for testing the suite, with switches that break
// it in the ways the suite must catch.
type mapStore struct {
	sep         string // joins key parts; "" means a key that cannot collide
	aliasMeta   bool   // keeps the caller's Meta map instead of a copy
	ignoreFails bool   // drops marks of failures
	path        string // when set, the state is saved here on every write

	mu       sync.Mutex
	Receipts map[string]broadcast.Receipt
	Marks    map[string]bool
}

func (s *mapStore) key(parts ...string) string {
	if s.sep == "" {
		b, _ := json.Marshal(parts)
		return string(b)
	}
	return strings.Join(parts, s.sep)
}

func (s *mapStore) LastReceipt(_ context.Context, incident, channel string) (broadcast.Receipt, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.Receipts[s.key(incident, channel)]
	if !s.aliasMeta {
		r.Meta = maps.Clone(r.Meta)
	}
	return r, ok, nil
}

func (s *mapStore) SaveReceipt(_ context.Context, incident string, r broadcast.Receipt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.aliasMeta {
		r.Meta = maps.Clone(r.Meta)
	}
	s.Receipts[s.key(incident, r.Channel)] = r
	return s.save()
}

func (s *mapStore) Done(_ context.Context, update, channel, target string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Marks[s.key(update, channel, target)], nil
}

func (s *mapStore) Mark(_ context.Context, update, channel, target string, failure error) error {
	if failure != nil && s.ignoreFails {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Marks[s.key(update, channel, target)] = true
	return s.save()
}

func (s *mapStore) save() error {
	if s.path == "" {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(s.path, b, 0o600)
}

func newMapStore(*testing.T) broadcast.Store {
	return &mapStore{Receipts: map[string]broadcast.Receipt{}, Marks: map[string]bool{}}
}

func TestRun(t *testing.T) {
	storetest.Run(t, newMapStore)
}

func TestRunDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
		s := newMapStore(t).(*mapStore)
		s.path = path
		if b, err := os.ReadFile(path); err == nil {
			require.NoError(t, json.Unmarshal(b, s))
		}
		return s, func() error { return nil }
	})
}

const brokenEnv = "STORETEST_BROKEN"

// broken are stores with one defect each, and a subtest that must catch it.
var broken = map[string]struct {
	store   func() *mapStore
	failing string
}{
	"joined keys": {func() *mapStore { return &mapStore{sep: "/"} }, "MarkKeysAreNotAmbiguous"},
	"shared meta": {func() *mapStore { return &mapStore{aliasMeta: true} }, "SavedMetaIsCopied"},
	"lost fails":  {func() *mapStore { return &mapStore{ignoreFails: true} }, "MarkDeliveredOrFailed"},
}

// TestSuiteCatchesBrokenStores runs the suite against each broken store in
// a child process (a failing suite would fail this test) and checks that it
// fails, in the right subtest, saying which rule was broken.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	if name := os.Getenv(brokenEnv); name != "" {
		storetest.Run(t, func(*testing.T) broadcast.Store {
			s := broken[name].store()
			s.Receipts, s.Marks = map[string]broadcast.Receipt{}, map[string]bool{}
			return s
		})
		return
	}
	for name, b := range broken {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteCatchesBrokenStores$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a broken store:\n%s", out)
			assert.Contains(t, string(out), "--- FAIL: TestSuiteCatchesBrokenStores/"+b.failing)
			assert.Contains(t, string(out), "rule: ")
		})
	}
}
