package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Pruner removes what a Store recorded before cutoff and reports how many
// entries (marks, receipts, threads) it removed: the Prune method of
// broadcast.MemoryStore, broadcast/boltstore and broadcast/pgstore, which
// broadcast.Store does not have.
type Pruner func(ctx context.Context, cutoff time.Time) (int64, error)

// RunPrune runs the pruning rules against a Store that can prune.
// newStore is called once per subtest and returns a fresh, empty Store and
// its Pruner. Each rule writes some entries, takes a cutoff from the
// clock, writes others and prunes: the Store must stamp its entries with
// the time they were written, from the same clock (the machine's),
// to the microsecond or finer.
//
// The rules are those a Broadcaster needs so that pruning loses no more
// than it says: an update pruned is delivered again if sent again, but
// never half, its delivery known and its post not found.
func RunPrune(t *testing.T, newStore func(t *testing.T) (broadcast.Store, Pruner)) {
	t.Helper()
	rules := []struct {
		name  string
		rule  string
		check func(t *testing.T, s broadcast.Store, prune Pruner)
	}{
		{"PruneRemovesOld", "marks, receipts and threads written before cutoff are removed, and Prune counts each one",
			checkPruneRemovesOld},
		{"PruneKeepsNew", "marks, receipts and threads written after cutoff are kept as they are", checkPruneKeepsNew},
		{"PruneKeepsMarkWrittenAgain", "a mark written again after cutoff is kept, with its latest failure text",
			checkPruneKeepsMarkWrittenAgain},
		{"PruneKeepsReceiptSavedAgain", "a receipt saved again after cutoff (the post of a correction) is kept, " +
			"as it was saved last, and so is its thread", checkPruneKeepsReceiptSavedAgain},
		{"PruneKeepsReceiptOfKeptMark", "an update's receipt on a channel is kept while the channel's mark of the " +
			"update (target \"\") is, so Correct and Retract find the post of every update a Send skips",
			checkPruneKeepsReceiptOfKeptMark},
		{"PruneKeepsThreadOfKeptReceipt", "an incident's thread on a channel, Root and Last, is kept while any of " +
			"the incident's receipts on the channel is", checkPruneKeepsThreadOfKeptReceipt},
		{"PruneKeepsUpdateWhole", "an update's marks and receipts, on every channel and target, are removed " +
			"together or not at all: all are kept while any was written after cutoff, so that a Retract tells a " +
			"channel that never posted the update from one whose records are gone", checkPruneKeepsUpdateWhole},
		{"PruneStartsThreadAnew", "once Prune removed an incident's thread on a channel, the next receipt saved " +
			"there is both Root and Last of a new thread", checkPruneStartsThreadAnew},
		{"PruneKeepsRefusalsOfCorrectionChain", "a Prune whose cutoff lies after a Retract that deleted an " +
			"update's post on some targets of a fan-out channel and failed for good on others, and before a " +
			"Correct of the update, keeps what the correction was refused by: a Correct of the correction, by " +
			"another Broadcaster over the same Store, refuses the targets where the post was deleted " +
			"(broadcast.ErrRetracted) and reaches the others", checkPruneKeepsRefusalsOfCorrectionChain},
		{"PruneFarCutoffs", "a cutoff centuries ahead (year 9999: prune everything) removes every entry, " +
			"and one centuries behind (the zero time) removes none", checkPruneFarCutoffs},
		{"PruneCancelled", "with a cancelled context Prune removes nothing and fails with an error matching " +
			"context.Canceled", checkPruneCancelled},
		{"PruneNilContext", "with a nil context Prune removes nothing and fails with an error; it never panics",
			checkPruneNilContext},
		{"PruneRacingSendsLosesNoUpdate", "while Prune loops with a cutoff of now (or of one second back), every " +
			"update of an incident of its own is delivered by its one Send, the channel called once for it: none " +
			"is Skipped, Superseded or lost", checkPruneRacingSendsLosesNoUpdate},
		{"PruneRacingSendsOfOneIncident", "updates of one incident sent at once from several goroutines, while " +
			"Prune loops, are each either delivered (the channel called once for it) or reported Superseded (the " +
			"channel never called for it)", checkPruneRacingSendsOfOneIncident},
		{"PruneKeepsNewerSuperseding", "an update older than a newer one of its incident whose records Prune " +
			"keeps is Superseded, and not posted", checkPruneKeepsNewerSuperseding},
		{"PruneOfNewerPostsOlder", "once Prune removed the records of an incident's newer update, an older " +
			"update of the incident is posted, not Superseded: nothing is left to supersede it",
			checkOlderUpdateAfterPrunedNewerIsPosted},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			explainOnFailure(t, r.rule)
			s, prune := newStore(t)
			r.check(t, s, prune)
		})
	}
}

// cutoff returns a time after every write made before it is called and
// before every write made after it returns, with a margin of a
// millisecond each side for a Store that rounds its times.
func cutoff() time.Time {
	time.Sleep(2 * time.Millisecond)
	c := time.Now()
	time.Sleep(2 * time.Millisecond)
	return c
}

// pruned is prune that must succeed.
func pruned(t *testing.T, prune Pruner, cutoff time.Time) int64 {
	t.Helper()
	n, err := prune(context.Background(), cutoff)
	require.NoError(t, err, "Prune")
	return n
}

func checkPruneRemovesOld(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user")))
	r1, r2 := receipt("x", "u1", 1), receipt("x", "u2", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-2", "u2", r2)) // never marked
	c := cutoff()

	assert.Equal(t, int64(6), pruned(t, prune, c), "removed: 2 marks, 2 receipts, 2 threads")
	assertOldPruned(t, s)
	assert.Zero(t, pruned(t, prune, c), "a second Prune")
}

// assertOldPruned checks that s holds nothing of what checkPrune's and
// checkPruneSurvivesReopen's Prune removed: u1's marks, the receipts of u1
// and u2, and the threads of inc-1 and inc-2.
func assertOldPruned(t *testing.T, s broadcast.Store) {
	t.Helper()
	assertDone(t, s, "u1", "email", "ada@example.com", false, "")
	assertDone(t, s, "u1", "x", "", false, "")
	for _, u := range []string{"u1", "u2"} {
		_, ok := savedReceipt(t, s, u, "x")
		assert.False(t, ok, "receipt of %s, pruned", u)
	}
	assert.True(t, thread(t, s, "inc-1", "x").IsZero(), "thread of inc-1, pruned")
	assert.True(t, thread(t, s, "inc-2", "x").IsZero(), "thread of inc-2, pruned")
}

func checkPruneFarCutoffs(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", receipt("x", "u1", 1)))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	for _, behind := range []time.Time{{}, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)} {
		assert.Zero(t, pruned(t, prune, behind), "removed with cutoff %v", behind)
	}
	assertDone(t, s, "u1", "x", "", true, "")
	assert.Equal(t, int64(4), pruned(t, prune, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)),
		"removed with cutoff 9999-12-31: 2 marks, a receipt, a thread")
	assertDone(t, s, "u1", "email", "ada@example.com", false, "")
	assertDone(t, s, "u1", "x", "", false, "")
	_, ok := savedReceipt(t, s, "u1", "x")
	assert.False(t, ok, "receipt of u1")
	assert.True(t, thread(t, s, "inc-1", "x").IsZero(), "thread of inc-1")
}

func checkPruneKeepsNew(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u0", "email", "ada@example.com", nil))
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user")))
	r1, r2 := receipt("x", "u1", 1), receipt("x", "u2", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u2", r2))

	assert.Equal(t, int64(1), pruned(t, prune, c), "removed: the mark of u0")
	assertDone(t, s, "u0", "email", "ada@example.com", false, "")
	assertDone(t, s, "u1", "email", "ada@example.com", true, "550 no such user")
	assertDone(t, s, "u1", "x", "", true, "")
	for _, want := range []broadcast.Receipt{r1, r2} {
		got, ok := savedReceipt(t, s, want.UpdateID, "x")
		if assert.True(t, ok, "receipt of %s", want.UpdateID) {
			assertReceipt(t, want, got)
		}
	}
	assertThread(t, s, "inc-1", "x", r1, r2)
}

func checkPruneKeepsMarkWrittenAgain(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 mailbox full")))
	require.NoError(t, s.Mark(ctx, "u0", "email", "bob@example.com", nil))
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user")))

	assert.Equal(t, int64(1), pruned(t, prune, c), "removed: bob's mark, of u0")
	assertDone(t, s, "u1", "email", "ada@example.com", true, "550 no such user")
	assertDone(t, s, "u0", "email", "bob@example.com", false, "")
}

func checkPruneKeepsReceiptSavedAgain(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	first, again := receipt("x", "u1", 1), receipt("x", "u1", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", first))
	c := cutoff()
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", again))

	assert.Zero(t, pruned(t, prune, c), "removed")
	got, ok := savedReceipt(t, s, "u1", "x")
	if assert.True(t, ok, "the receipt saved again after cutoff") {
		assertReceipt(t, again, got)
	}
	assertThread(t, s, "inc-1", "x", first, again)
}

// checkPruneKeepsReceiptOfKeptMark saves a receipt, then marks the update
// after the cutoff (its mark written again, or first written by a later
// Send that found the receipt).
func checkPruneKeepsReceiptOfKeptMark(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	r1 := receipt("x", "u1", 1)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))

	assert.Zero(t, pruned(t, prune, c), "removed")
	assertDone(t, s, "u1", "x", "", true, "")
	got, ok := savedReceipt(t, s, "u1", "x")
	if assert.True(t, ok, "the receipt of an update still marked delivered") {
		assertReceipt(t, r1, got)
	}
	assertThread(t, s, "inc-1", "x", r1, r1)
}

// checkPruneKeepsThreadOfKeptReceipt keeps the receipt of the middle one of
// three updates, neither the thread's Root nor its Last.
func checkPruneKeepsThreadOfKeptReceipt(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	r1, r2, r3 := receipt("x", "u1", 1), receipt("x", "u2", 2), receipt("x", "u3", 3)
	for _, r := range []broadcast.Receipt{r1, r2, r3} {
		require.NoError(t, s.SaveReceipt(ctx, "inc-1", r.UpdateID, r))
	}
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u2", "x", "", nil))

	assert.Equal(t, int64(2), pruned(t, prune, c), "removed: the receipts of u1 and u3")
	_, ok := savedReceipt(t, s, "u2", "x")
	assert.True(t, ok, "the receipt of u2, still marked")
	assertThread(t, s, "inc-1", "x", r1, r3)
}

// checkPruneKeepsUpdateWhole sends one update to four channels, each in a
// thread of its own, and writes a mark of it again on b only, after the
// cutoff, and a target's mark of another update, u2, on d: u1's receipts,
// marks and threads on every channel are kept, and so are u2's marks,
// target's and channels' alike. Update u3, all of it older, goes.
func checkPruneKeepsUpdateWhole(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	channels := []string{"a", "b", "c", "d"}
	for i, ch := range channels {
		require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", receipt(ch, "u1", i)))
		require.NoError(t, s.Mark(ctx, "u1", ch, "", nil))
	}
	require.NoError(t, s.Mark(ctx, "u1", "d", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u2", "a", "", errors.New("403 Forbidden")))
	require.NoError(t, s.Mark(ctx, "u3", "a", "", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-3", "u3", receipt("a", "u3", 9)))
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u1", "b", "", nil))
	require.NoError(t, s.Mark(ctx, "u2", "d", "bob@example.com", errors.New("550 no such user")))

	assert.Equal(t, int64(3), pruned(t, prune, c), "removed: u3's mark, receipt and thread")
	for i, ch := range channels {
		assertDone(t, s, "u1", ch, "", true, "")
		got, ok := savedReceipt(t, s, "u1", ch)
		want := receipt(ch, "u1", i)
		if assert.True(t, ok, "the receipt of u1 on %s, kept with the mark on b", ch) {
			assertReceipt(t, want, got)
		}
		assertThread(t, s, "inc-1", ch, want, want)
	}
	assertDone(t, s, "u1", "d", "ada@example.com", true, "")
	assertDone(t, s, "u2", "a", "", true, "403 Forbidden")
	assertDone(t, s, "u2", "d", "bob@example.com", true, "550 no such user")
	assertDone(t, s, "u3", "a", "", false, "")
	_, ok := savedReceipt(t, s, "u3", "a")
	assert.False(t, ok, "the receipt of u3")
	assert.True(t, thread(t, s, "inc-3", "a").IsZero(), "the thread of inc-3")
}

// checkPruneStartsThreadAnew prunes a thread of two receipts, then saves a
// third in the incident: Root is the third, not the thread's first.
func checkPruneStartsThreadAnew(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	r1, r2 := receipt("x", "u1", 1), receipt("x", "u2", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u2", r2))
	c := cutoff()

	assert.Equal(t, int64(3), pruned(t, prune, c), "removed: 2 receipts, a thread")
	assert.True(t, thread(t, s, "inc-1", "x").IsZero(), "the thread, pruned")
	r3 := receipt("x", "u3", 3)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u3", r3))
	assertThread(t, s, "inc-1", "x", r3, r3)
}

func checkPruneNilContext(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "", nil))
	var nilCtx context.Context
	var n int64
	var err error
	require.NotPanics(t, func() { n, err = prune(nilCtx, cutoff()) }, "Prune with a nil context")
	require.Error(t, err, "Prune with a nil context")
	assert.Zero(t, n, "removed")
	assertDone(t, s, "u1", "email", "", true, "")
}

func checkPruneCancelled(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	r1 := receipt("x", "u1", 1)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	c := cutoff()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	n, err := prune(cancelled, c)
	require.ErrorIs(t, err, context.Canceled, "Prune")
	assert.Zero(t, n, "removed")
	assertDone(t, s, "u1", "email", "ada@example.com", true, "")
	_, ok := savedReceipt(t, s, "u1", "x")
	assert.True(t, ok, "receipt of u1")
	assertThread(t, s, "inc-1", "x", r1, r1)
}

// RunPruneDurable runs the pruning rule of a Store kept in a file, or in a
// database, that can prune. open opens (creating if need be) the Store at
// path and returns it with its Pruner and the function that closes it, as
// RunDurable's open does; the rule prunes, closes and reopens the same
// path, in a fresh directory.
func RunPruneDurable(t *testing.T, open func(t *testing.T, path string) (broadcast.Store, Pruner, func() error)) {
	t.Helper()
	rules := []struct {
		name  string
		rule  string
		check func(t *testing.T, reopen func() (broadcast.Store, Pruner))
	}{
		{"PruneSurvivesReopen", "what Prune removed is still gone after closing and reopening, what it kept is " +
			"there, and a Prune with the same cutoff then removes nothing", checkPruneSurvivesReopen},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			explainOnFailure(t, r.rule)
			var prune Pruner
			reopen := reopener(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
				s, p, c := open(t, path)
				prune = p
				return s, c
			})
			r.check(t, func() (broadcast.Store, Pruner) { s := reopen(); return s, prune })
		})
	}
}

func checkPruneSurvivesReopen(t *testing.T, reopen func() (broadcast.Store, Pruner)) {
	ctx := context.Background()
	s, prune := reopen()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user")))
	r1, r2, r3 := receipt("x", "u1", 1), receipt("x", "u2", 2), receipt("x", "u3", 3)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", r1))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-2", "u2", r2)) // never marked
	c := cutoff()
	require.NoError(t, s.Mark(ctx, "u3", "email", "bob@example.com", errors.New("452 mailbox full")))
	require.NoError(t, s.SaveReceipt(ctx, "inc-3", "u3", r3))
	require.NoError(t, s.Mark(ctx, "u3", "x", "", nil))
	assert.Equal(t, int64(6), pruned(t, prune, c), "removed: 2 marks, 2 receipts, 2 threads")

	s, prune = reopen()
	assertOldPruned(t, s)
	assertDone(t, s, "u3", "email", "bob@example.com", true, "452 mailbox full")
	assertDone(t, s, "u3", "x", "", true, "")
	got, ok := savedReceipt(t, s, "u3", "x")
	if assert.True(t, ok, "receipt of u3, kept") {
		assertReceipt(t, r3, got)
	}
	assertThread(t, s, "inc-3", "x", r3, r3)
	assert.Zero(t, pruned(t, prune, c), "removed by a Prune with the same cutoff after reopening")
	assertDone(t, s, "u3", "x", "", true, "")
}

func checkPruneKeepsRefusalsOfCorrectionChain(t *testing.T, s broadcast.Store, prune Pruner) {
	ctx := context.Background()
	f := newFan("chat", "!ops", "!eng")
	f.posts = true
	f.undeletable = map[string]error{"!eng": broadcast.Permanent(errors.New("403 Forbidden"))}
	_, err := newBroadcaster(t, s, f.retractor()).Send(ctx, update(1))
	require.NoError(t, err)
	_, err = newBroadcaster(t, s, f.retractor()).Retract(ctx, "u1")
	require.Error(t, err, "!eng kept the post")
	c := cutoff()

	fix := update(1)
	fix.ID, fix.Body = "u1-fix", "Update 1, corrected."
	rep, err := newBroadcaster(t, s, f.retractor()).Correct(ctx, "u1", fix)
	require.ErrorIs(t, err, broadcast.ErrRetracted, "!ops refuses the correction")
	require.Equal(t, []string{"!eng"}, rep.Results[0].Delivered)
	pruned(t, prune, c)

	fix2 := fix
	fix2.ID, fix2.Body = "u1-fix2", "Update 1, corrected again."
	rep, err = newBroadcaster(t, s, f.retractor()).Correct(ctx, "u1-fix", fix2)
	require.Error(t, err, "!ops refuses the correction")
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrRetracted)
	assert.True(t, broadcast.IsPermanent(res.Err), "not to be retried: %v", res.Err)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "!ops", res.Failures[0].Target)
	assert.ErrorIs(t, res.Failures[0].Err, broadcast.ErrRetracted)
	assert.Equal(t, []string{"!eng"}, res.Delivered)
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": 3}, f.sends(), "!ops got the update only, !eng both corrections too")
}
