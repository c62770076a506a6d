package storetest_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) broadcast.Store { return broadcast.NewMemoryStore() })
}

func TestMemoryStorePrune(t *testing.T) {
	// A cutoff as time.Now gives it, and one without its monotonic reading,
	// as one parsed from text, or made with UTC or Round, comes.
	for name, strip := range map[string]func(time.Time) time.Time{
		"monotonic": func(t time.Time) time.Time { return t },
		"wall":      func(t time.Time) time.Time { return t.Round(0) },
	} {
		t.Run(name, func(t *testing.T) {
			storetest.RunPrune(t, func(*testing.T) (broadcast.Store, storetest.Pruner) {
				s := broadcast.NewMemoryStore()
				return s, func(ctx context.Context, cutoff time.Time) (int64, error) {
					return s.Prune(ctx, strip(cutoff))
				}
			})
		})
	}
}

// A MemoryStore's zero value is an empty store, as NewMemoryStore's, as a
// struct field or a variable declared without it has. Before, the first
// Send over one crashed the process (a write to a nil map, in a delivery's
// goroutine, where the Broadcaster does not guard its own MemoryStore).
func TestZeroMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) broadcast.Store { return new(broadcast.MemoryStore) })
	t.Run("Prune", func(t *testing.T) {
		storetest.RunPrune(t, func(*testing.T) (broadcast.Store, storetest.Pruner) {
			s := new(broadcast.MemoryStore)
			return s, s.Prune
		})
	})
}

// mapStore is a small Store for testing the suite, with switches that break
// it in the ways the suite must catch.
type mapStore struct {
	sep             string // joins key parts; "" means a key that cannot collide
	aliasMeta       bool   // keeps the caller's Meta map instead of a copy
	ignoreFails     bool   // drops marks of failures
	overwriteRoot   bool   // every save sets Thread.Root, not only the first
	dropReasons     bool   // keeps every failure as "failed"
	dropUpdateTime  bool   // forgets Receipt.UpdateTime
	roundUpdateTime bool   // keeps Receipt.UpdateTime to the microsecond, as a SQL timestamp column does
	jsonTimes       bool   // keeps Receipt.Time and UpdateTime as encoding/json writes them: zone offsets to the minute
	volatileRoots   bool   // keeps Thread.Root in memory only: lost on reopen
	volatileReasons bool   // keeps failure reasons in memory only: lost on reopen
	volatileReceipt bool   // keeps updates' receipts in memory only: lost on reopen
	dropCancelled   bool   // returns nil, writing nothing, when ctx is done
	pruneByAge      bool   // Prune removes each entry by its own age alone
	pruneAll        bool   // Prune removes everything, whatever its age
	pruneBlind      bool   // Prune does not look at its context
	nilCtxPanics    bool   // Done and Prune use a nil context as any other
	rootByID        bool   // a save sets Thread.Root while Root has no ID, not only the first
	firstMarkSticks bool   // a target's first mark stays: later marks of it are dropped
	dropEmptyMeta   bool   // forgets Meta entries whose value is empty
	firstSaveStamp  bool   // a receipt saved again keeps the write time of its first save
	markHidesSaves  bool   // a receipt saved after its channel's mark is not kept
	markPerChannel  bool   // keys marks by update and channel, not target: one mark for all recipients
	threadPerInc    bool   // keys threads by incident alone, not channel: one thread for all channels
	cutKeys         int    // keeps only the first cutKeys bytes of a target, as a fixed-width column would
	missingIsError  bool   // Done and Receipt fail for what was never written, as sql.ErrNoRows does
	nilCtxDropped   bool   // returns nil, writing nothing, when ctx is nil
	dropDelivered   bool   // keeps failures only: a delivered mark is not written
	firstReceipt    bool   // an update's receipt saved again keeps the first, as INSERT … ON CONFLICT DO NOTHING
	pruneCountMarks bool   // Prune counts the marks it removed, not the receipts and threads
	pruneByNanos    bool   // Prune compares times in Unix nanoseconds, which overflow past the year 2262
	nulRefused      bool   // fails a call whose id, channel or target holds a NUL byte, as a PostgreSQL text column does
	validFailures   bool   // keeps a failure text as valid UTF-8 without NUL, as a PostgreSQL text column or JSON would
	volatilePrune   bool   // Prune does not save the state: what it removed is back on reopen
	volatileStamps  bool   // keeps the times entries were written in memory only: lost on reopen
	pruneByChannel  bool   // Prune removes each mark by its own age, and a receipt with its channel's mark
	prunedRootKept  bool   // Prune keeps a removed thread's Root, as a table of roots of their own, which the next save takes
	path            string // when set, the state is saved here on every write

	mu       sync.Mutex
	Threads  map[string]broadcast.Thread
	Receipts map[string]broadcast.Receipt
	Marks    map[string]rawText // failure text; "" when delivered
	roots    map[string]broadcast.Receipt
	reasons  map[string]string
	Written  map[string]time.Time // when each mark, receipt and thread was written, by kind and key
	Incident map[string]string    // each receipt's incident's thread key
}

// throughJSON is t encoded and decoded by encoding/json, whose RFC 3339
// text has no seconds in a zone's offset.
func throughJSON(t time.Time) time.Time {
	b, err := json.Marshal(t)
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func newMapStore(s *mapStore) *mapStore {
	s.Threads, s.Receipts, s.Marks = map[string]broadcast.Thread{}, map[string]broadcast.Receipt{}, map[string]rawText{}
	s.roots, s.reasons = map[string]broadcast.Receipt{}, map[string]string{}
	s.Written, s.Incident = map[string]time.Time{}, map[string]string{}
	return s
}

func (s *mapStore) key(parts ...string) string {
	if s.sep == "" {
		b, _ := json.Marshal(parts)
		return string(b)
	}
	return strings.Join(parts, s.sep)
}

// markKey is the key of a mark, as the broken switches make it.
func (s *mapStore) markKey(update, channel, target string) string {
	if s.markPerChannel {
		target = ""
	}
	if s.cutKeys > 0 && len(target) > s.cutKeys {
		target = target[:s.cutKeys]
	}
	return s.key(update, channel, target)
}

// threadKey is the key of a thread, as the broken switches make it.
func (s *mapStore) threadKey(incident, channel string) string {
	if s.threadPerInc {
		channel = ""
	}
	return s.key(incident, channel)
}

func (s *mapStore) copyMeta(r broadcast.Receipt) broadcast.Receipt {
	if !s.aliasMeta {
		r.Meta = maps.Clone(r.Meta)
	}
	return r
}

// refused is the error of a call with parts a nulRefused store refuses.
func (s *mapStore) refused(parts ...string) error {
	if s.nulRefused && strings.Contains(strings.Join(parts, ""), "\x00") {
		return errors.New(`invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)`)
	}
	return nil
}

func (s *mapStore) Thread(_ context.Context, incident, channel string) (broadcast.Thread, error) {
	if err := s.refused(incident, channel); err != nil {
		return broadcast.Thread{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.threadKey(incident, channel)
	t := s.Threads[k]
	if s.volatileRoots {
		t.Root = s.roots[k]
	}
	return broadcast.Thread{Root: s.copyMeta(t.Root), Last: s.copyMeta(t.Last)}, nil
}

func (s *mapStore) SaveReceipt(ctx context.Context, incident, update string, r broadcast.Receipt) error {
	if err := s.refused(incident, update, r.Channel); err != nil {
		return err
	}
	if s.nilCtxDropped && ctx == nil {
		return nil
	}
	if s.dropCancelled && ctx.Err() != nil {
		return nil
	}
	r = s.copyMeta(r)
	if s.dropUpdateTime {
		r.UpdateTime = time.Time{}
	}
	if s.roundUpdateTime {
		r.UpdateTime = r.UpdateTime.Truncate(time.Microsecond)
	}
	if s.jsonTimes {
		r.Time, r.UpdateTime = throughJSON(r.Time), throughJSON(r.UpdateTime)
	}
	if s.dropEmptyMeta {
		r.Meta = maps.Clone(r.Meta)
		maps.DeleteFunc(r.Meta, func(_, v string) bool { return v == "" })
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.threadKey(incident, r.Channel)
	t := s.Threads[k]
	root := t.Root
	if s.volatileRoots || s.prunedRootKept && root.IsZero() {
		root = s.roots[k]
	}
	if root.IsZero() || s.overwriteRoot || s.rootByID && root.ID == "" {
		root = r
	}
	t.Root, t.Last = root, r
	if s.volatileRoots {
		s.roots[k], t.Root = root, broadcast.Receipt{}
	}
	s.Threads[k] = t
	rk := s.key(update, r.Channel)
	if _, marked := s.Marks[s.key(update, r.Channel, "")]; marked && s.markHidesSaves {
		return nil
	}
	if _, saved := s.Receipts[rk]; !saved || !s.firstReceipt {
		s.Receipts[rk] = r
	}
	if s.volatileReceipt {
		defer func() { s.Receipts[rk] = r }() // after the save, which leaves it out
		delete(s.Receipts, rk)
	}
	if _, saved := s.Written["r"+rk]; !saved || !s.firstSaveStamp {
		s.Written["r"+rk] = time.Now()
	}
	s.Written["t"+k], s.Incident[rk] = time.Now(), k
	return s.save()
}

func (s *mapStore) Receipt(_ context.Context, update, channel string) (broadcast.Receipt, bool, error) {
	if err := s.refused(update, channel); err != nil {
		return broadcast.Receipt{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.Receipts[s.key(update, channel)]
	if !ok && s.missingIsError {
		return broadcast.Receipt{}, false, errors.New("no rows in result set")
	}
	return s.copyMeta(r), ok, nil
}

func (s *mapStore) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	if s.nilCtxPanics {
		_ = ctx.Err()
	}
	if err := s.refused(update, channel, target); err != nil {
		return false, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.markKey(update, channel, target)
	text, ok := s.Marks[k]
	failure := string(text)
	if !ok && s.missingIsError {
		return false, "", errors.New("no rows in result set")
	}
	if reason, kept := s.reasons[k]; kept {
		failure = reason
	}
	return ok, failure, nil
}

func (s *mapStore) Mark(ctx context.Context, update, channel, target string, failure error) error {
	if err := s.refused(update, channel, target); err != nil {
		return err
	}
	if failure != nil && s.ignoreFails || failure == nil && s.dropDelivered || s.nilCtxDropped && ctx == nil ||
		s.dropCancelled && ctx.Err() != nil {
		return nil
	}
	text := ""
	if failure != nil {
		text = cmp.Or(failure.Error(), "failed")
		if s.dropReasons {
			text = "failed"
		}
		if s.validFailures {
			text = strings.ReplaceAll(strings.ToValidUTF8(text, "\uFFFD"), "\x00", "")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.markKey(update, channel, target)
	if _, marked := s.Marks[k]; marked && s.firstMarkSticks {
		return nil
	}
	s.Marks[k] = rawText(text)
	s.Written["m"+k] = time.Now()
	delete(s.reasons, k)
	if s.volatileReasons && text != "" {
		s.Marks[k], s.reasons[k] = "", text
	}
	return s.save()
}

// Prune removes an update's marks and receipts when the newest of them
// was written before cutoff, then threads written before cutoff whose
// receipts are all gone.
func (s *mapStore) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	if ctx == nil && !s.nilCtxPanics {
		return 0, errors.New("nil context")
	}
	if err := ctx.Err(); err != nil && !s.pruneBlind {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before := func(t time.Time) bool {
		if s.pruneByNanos {
			return t.UnixNano() < cutoff.UnixNano()
		}
		return s.pruneAll || t.Before(cutoff)
	}
	old := func(kind, k string) bool { return before(s.Written[kind+k]) }
	newest := map[string]time.Time{} // by update
	note := func(update string, t time.Time) {
		if n, ok := newest[update]; !ok || t.After(n) {
			newest[update] = t
		}
	}
	for k := range s.Marks {
		note(s.parts(k)[0], s.Written["m"+k])
	}
	for k, r := range s.Receipts {
		note(r.UpdateID, s.Written["r"+k])
	}
	var n, counted int64
	for k := range s.Marks {
		gone := before(newest[s.parts(k)[0]])
		if s.pruneByAge || s.pruneByChannel {
			gone = old("m", k)
		}
		if gone {
			delete(s.Marks, k)
			n++
		}
	}
	counted = n
	kept := map[string]bool{}
	for k, r := range s.Receipts {
		gone := before(newest[r.UpdateID])
		if s.pruneByAge || s.pruneByChannel {
			_, marked := s.Marks[s.key(r.UpdateID, r.Channel, "")]
			gone = old("r", k) && (!marked || s.pruneByAge)
		}
		if gone {
			delete(s.Receipts, k)
			n++
			continue
		}
		kept[s.Incident[k]] = true
	}
	for k := range s.Threads {
		if old("t", k) && (!kept[k] || s.pruneByAge) {
			if s.prunedRootKept {
				s.roots[k] = s.Threads[k].Root
			}
			delete(s.Threads, k)
			n++
		}
	}
	if !s.volatilePrune {
		if err := s.save(); err != nil {
			return 0, err
		}
	}
	if s.pruneCountMarks {
		return counted, nil
	}
	return n, nil
}

// parts returns the parts of key k, made by key.
func (s *mapStore) parts(k string) []string {
	if s.sep != "" {
		return strings.Split(k, s.sep)
	}
	var parts []string
	if json.Unmarshal([]byte(k), &parts) != nil || len(parts) == 0 {
		return []string{k}
	}
	return parts
}

// rawText is a failure text saved as its bytes: JSON would replace those
// that are not UTF-8.
type rawText string

func (t rawText) MarshalJSON() ([]byte, error) { return json.Marshal([]byte(t)) }

func (t *rawText) UnmarshalJSON(b []byte) error {
	var raw []byte
	err := json.Unmarshal(b, &raw)
	*t = rawText(raw)
	return err
}

func (s *mapStore) save() error {
	if s.path == "" {
		return nil
	}
	written := s.Written
	if s.volatileStamps {
		s.Written = nil
		defer func() { s.Written = written }()
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(s.path, b, 0o600)
}

// openMapStore opens a mapStore at path, as a durable Store.
func openMapStore(t *testing.T, s *mapStore, path string) (broadcast.Store, func() error) {
	s = newMapStore(s)
	s.path = path
	if b, err := os.ReadFile(path); err == nil {
		require.NoError(t, json.Unmarshal(b, s))
	}
	if s.Written == nil {
		s.Written = map[string]time.Time{}
	}
	return s, func() error { return nil }
}

func TestRun(t *testing.T) {
	storetest.Run(t, func(*testing.T) broadcast.Store { return newMapStore(&mapStore{}) })
}

func TestRunPrune(t *testing.T) {
	storetest.RunPrune(t, newPrunableMapStore(func() *mapStore { return &mapStore{} }))
}

// newPrunableMapStore returns RunPrune's newStore of mapStores that
// newStore makes.
func newPrunableMapStore(newStore func() *mapStore) func(*testing.T) (broadcast.Store, storetest.Pruner) {
	return func(*testing.T) (broadcast.Store, storetest.Pruner) {
		m := newMapStore(newStore())
		return m, m.Prune
	}
}

func TestRunDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
		return openMapStore(t, &mapStore{}, path)
	})
}

func TestRunPruneDurable(t *testing.T) {
	storetest.RunPruneDurable(t, openPrunableMapStore(func() *mapStore { return &mapStore{} }))
}

// openPrunableMapStore returns RunPruneDurable's open of mapStores that
// newStore makes.
func openPrunableMapStore(newStore func() *mapStore) func(*testing.T, string) (broadcast.Store, storetest.Pruner, func() error) {
	return func(t *testing.T, path string) (broadcast.Store, storetest.Pruner, func() error) {
		s, c := openMapStore(t, newStore(), path)
		return s, s.(*mapStore).Prune, c
	}
}

const brokenEnv = "STORETEST_BROKEN"

// broken are stores with one defect each, and the subtests that must catch
// it. durable ones run RunDurable, prune ones RunPrune, ones both
// RunPruneDurable, the others Run.
var broken = map[string]struct {
	store   func() *mapStore
	durable bool
	prune   bool // runs RunPrune
	failing []string
}{
	"joined keys": {store: func() *mapStore { return &mapStore{sep: "/"} },
		failing: []string{"MarkKeysAreNotAmbiguous", "ReceiptKeysAreNotAmbiguous"}},
	"shared meta": {store: func() *mapStore { return &mapStore{aliasMeta: true} },
		failing: []string{"SavedMetaIsCopied", "ReturnedMetaIsCopied"}},
	"lost fails": {store: func() *mapStore { return &mapStore{ignoreFails: true} },
		failing: []string{"MarkFailedKeepsReason", "MarkFailedWithoutText", "TargetFailureReasonKept"}},
	"update time rounded": {store: func() *mapStore { return &mapStore{roundUpdateTime: true} },
		failing: []string{"ReceiptOfUpdate", "FirstSaveIsRootAndLast", "OlderUpdateSuperseded"}},
	"zone offsets cut to the minute": {store: func() *mapStore { return &mapStore{jsonTimes: true} },
		failing: []string{"ReceiptTimesInAnyZone"}},
	"root overwritten": {store: func() *mapStore { return &mapStore{overwriteRoot: true} },
		failing: []string{"LaterSavesMoveLast", "NextUpdateThreads"}},
	"dropped reasons": {store: func() *mapStore { return &mapStore{dropReasons: true} },
		failing: []string{"MarkFailedKeepsReason", "MarkAgainLastWins", "TargetFailureReasonKept"}},
	"update time dropped": {store: func() *mapStore { return &mapStore{dropUpdateTime: true} },
		failing: []string{"ReceiptOfUpdate", "OlderUpdateSuperseded", "ConcurrentSavesOfOneThread"}},
	"roots lost on reopen": {store: func() *mapStore { return &mapStore{volatileRoots: true} }, durable: true,
		failing: []string{"ThreadsSurviveReopen", "WritesAfterReopen"}},
	"reasons lost on reopen": {store: func() *mapStore { return &mapStore{volatileReasons: true} }, durable: true,
		failing: []string{"MarksSurviveReopen", "BroadcasterResumesAfterReopen"}},
	"receipts lost on reopen": {store: func() *mapStore { return &mapStore{volatileReceipt: true} }, durable: true,
		failing: []string{"ReceiptsSurviveReopen", "WritesAfterReopen"}},
	"cancelled writes dropped": {store: func() *mapStore { return &mapStore{dropCancelled: true} },
		failing: []string{"CancelledContext"}},
	"pruned by age alone": {store: func() *mapStore { return &mapStore{pruneByAge: true} }, prune: true,
		failing: []string{"PruneKeepsReceiptOfKeptMark", "PruneKeepsThreadOfKeptReceipt", "PruneKeepsUpdateWhole"}},
	"pruned whatever its age": {store: func() *mapStore { return &mapStore{pruneAll: true} }, prune: true,
		failing: []string{"PruneKeepsNew", "PruneKeepsMarkWrittenAgain", "PruneKeepsReceiptOfKeptMark",
			"PruneKeepsThreadOfKeptReceipt", "PruneKeepsUpdateWhole"}},
	"root set while it has no id": {store: func() *mapStore { return &mapStore{rootByID: true} },
		failing: []string{"LaterSavesMoveLast"}},
	"first mark sticks": {store: func() *mapStore { return &mapStore{firstMarkSticks: true} },
		failing: []string{"MarkAgainLastWins"}},
	"empty meta values dropped": {store: func() *mapStore { return &mapStore{dropEmptyMeta: true} },
		failing: []string{"ReceiptOfUpdate", "FirstSaveIsRootAndLast"}},
	"receipt saved again keeps its first time": {store: func() *mapStore { return &mapStore{firstSaveStamp: true} },
		prune: true, failing: []string{"PruneKeepsReceiptSavedAgain"}},
	"receipt saved after its mark lost": {store: func() *mapStore { return &mapStore{markHidesSaves: true} },
		failing: []string{"MarksAndReceiptsApart"}},
	"prune not cancelled": {store: func() *mapStore { return &mapStore{pruneBlind: true} }, prune: true,
		failing: []string{"PruneCancelled"}},
	"marks per channel, not target": {store: func() *mapStore { return &mapStore{markPerChannel: true} },
		failing: []string{"MarksPerUpdateChannelTarget", "LongTargets", "ConcurrentMarks", "SendTwiceSkips"}},
	"threads per incident, not channel": {store: func() *mapStore { return &mapStore{threadPerInc: true} },
		failing: []string{"UnknownThread", "ThreadsPerIncidentAndChannel"}},
	"targets cut to 1 KiB": {store: func() *mapStore { return &mapStore{cutKeys: 1024} },
		failing: []string{"LongTargets"}},
	"never written is an error": {store: func() *mapStore { return &mapStore{missingIsError: true} },
		failing: []string{"NotDoneBeforeMark", "UnknownReceipt", "ConcurrentReceipts", "DoneUnreadable",
			"TargetUnreadable", "ThreadUnreadable", "DeliveryNotRecorded", "TargetMarkNotRecorded", "EveryWriteFails",
			"PostNotRecorded"}},
	"nil context panics": {store: func() *mapStore { return &mapStore{nilCtxPanics: true} },
		failing: []string{"NilContext"}},
	"nil context writes dropped": {store: func() *mapStore { return &mapStore{nilCtxDropped: true} },
		failing: []string{"NilContext"}},
	"delivered marks dropped": {store: func() *mapStore { return &mapStore{dropDelivered: true} },
		failing: []string{"MarkDelivered", "MarkAgainLastWins", "ConcurrentMarks",
			"OlderUpdateKeptFromNewerTargets"}},
	"first receipt of an update kept": {store: func() *mapStore { return &mapStore{firstReceipt: true} },
		failing: []string{"ReceiptSavedAgain"}},
	"prune counts marks only": {store: func() *mapStore { return &mapStore{pruneCountMarks: true} }, prune: true,
		failing: []string{"PruneRemovesOld", "PruneKeepsThreadOfKeptReceipt", "PruneFarCutoffs"}},
	"prune compares Unix nanoseconds": {store: func() *mapStore { return &mapStore{pruneByNanos: true} },
		prune: true, failing: []string{"PruneFarCutoffs"}},
	"ids with NUL bytes refused": {store: func() *mapStore { return &mapStore{nulRefused: true} },
		failing: []string{"MarkKeysAreNotAmbiguous", "ReceiptKeysAreNotAmbiguous", "RetractedLatestPassedOver",
			"OlderUpdateWaitsForRetraction", "ResentUpdateKeepsItsTime", "PostsKeptAcrossRestart",
			"PartialDeliveryRetracted", "ReceiptUnreadable", "PostUnreadable"}},
	"failure texts made valid UTF-8": {store: func() *mapStore { return &mapStore{validFailures: true} },
		failing: []string{"MarkFailedKeepsBytes"}},
	"failure texts made valid UTF-8, durable": {store: func() *mapStore { return &mapStore{validFailures: true} },
		durable: true, failing: []string{"MarksSurviveReopen"}},
	"prune lost on reopen": {store: func() *mapStore { return &mapStore{volatilePrune: true} }, durable: true,
		prune: true, failing: []string{"PruneSurvivesReopen"}},
	"write times lost on reopen": {store: func() *mapStore { return &mapStore{volatileStamps: true} }, durable: true,
		prune: true, failing: []string{"PruneSurvivesReopen"}},
	"pruned channel by channel": {store: func() *mapStore { return &mapStore{pruneByChannel: true} },
		prune: true, failing: []string{"PruneKeepsUpdateWhole"}},
	"root of a pruned thread kept": {store: func() *mapStore { return &mapStore{prunedRootKept: true} },
		prune: true, failing: []string{"PruneStartsThreadAnew"}},
	"prune with a nil context panics": {store: func() *mapStore { return &mapStore{nilCtxPanics: true} },
		prune: true, failing: []string{"PruneNilContext"}},
}

// TestSuiteCatchesBrokenStores runs the suite against each broken store in
// a child process (a failing suite would fail this test) and checks that it
// fails, in the right subtests, saying which rule was broken.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	if name := os.Getenv(brokenEnv); name != "" {
		b := broken[name]
		if b.prune && b.durable {
			storetest.RunPruneDurable(t, openPrunableMapStore(b.store))
			return
		}
		if b.prune {
			storetest.RunPrune(t, newPrunableMapStore(b.store))
			return
		}
		if b.durable {
			storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
				return openMapStore(t, b.store(), path)
			})
			return
		}
		storetest.Run(t, func(*testing.T) broadcast.Store { return newMapStore(b.store()) })
		return
	}
	for _, name := range slices.Sorted(maps.Keys(broken)) {
		b := broken[name]
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteCatchesBrokenStores$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a broken store:\n%s", out)
			for _, sub := range b.failing {
				assert.Contains(t, string(out), "--- FAIL: TestSuiteCatchesBrokenStores/"+sub+" ", "%s", sub)
			}
			assert.Contains(t, string(out), "rule: ")
		})
	}
}
