package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func threadRules() []rule {
	return []rule{
		{
			name:  "UnknownThread",
			rule:  "Thread of an incident and channel never saved is the zero Thread, without error",
			check: checkUnknownThread,
		},
		{
			name:  "UnknownReceipt",
			rule:  "Receipt of an update and channel never saved reports not found, a zero Receipt and no error",
			check: checkUnknownReceipt,
		},
		{
			name:  "FirstSaveIsRootAndLast",
			rule:  "the first SaveReceipt of an incident and channel makes that receipt both Root and Last of its Thread",
			check: checkFirstSaveIsRootAndLast,
		},
		{
			name: "LaterSavesMoveLast",
			rule: "a later SaveReceipt replaces Last only: Root stays the first receipt saved, even when a later " +
				"one has an earlier Time, and when the first has no ID",
			check: checkLaterSavesMoveLast,
		},
		{
			name: "ReceiptOfUpdate",
			rule: "Receipt(updateID, channel) returns the receipt saved for that update, every field of it " +
				"(Channel, ID, URL, Time as an instant, Meta, UpdateID, UpdateTime), and finds none for another update or channel",
			check: checkReceiptOfUpdate,
		},
		{
			name: "ReceiptTimesInAnyZone",
			rule: "Time and UpdateTime come back as the instants saved, to the nanosecond, whatever their zone: " +
				"one whose offset has seconds (local mean time, as time.LoadLocation gives before a zone's standard " +
				"time) is not cut to the minute",
			check: checkReceiptTimesInAnyZone,
		},
		{
			name:  "ReceiptSavedAgain",
			rule:  "saving a receipt of an update again replaces it: Receipt returns the latest post, the one to edit or retract",
			check: checkReceiptSavedAgain,
		},
		{
			name:  "SavedMetaIsCopied",
			rule:  "changing the caller's Meta map after SaveReceipt changes neither the Thread nor the Receipt stored",
			check: checkSavedMetaIsCopied,
		},
		{
			name:  "ReturnedMetaIsCopied",
			rule:  "changing the Meta map that Thread or Receipt returned does not change what is stored",
			check: checkReturnedMetaIsCopied,
		},
		{
			name:  "ThreadsPerIncidentAndChannel",
			rule:  "a thread belongs to one incident and one channel; it is never returned for another",
			check: checkThreadsPerIncidentAndChannel,
		},
		{
			name: "ReceiptKeysAreNotAmbiguous",
			rule: "incident ids, update ids and channel names are arbitrary strings: separators, NUL bytes, " +
				"non-ASCII and prefixes of each other never make two threads or two receipts collide",
			check: checkReceiptKeysAreNotAmbiguous,
		},
		{
			name: "LongReceiptKeys",
			rule: "incident and update ids of a few kilobytes (the Broadcaster keeps the post it made to a long " +
				"target under ids that hold the target) can be saved, read back, and are told apart from their prefixes",
			check: checkLongReceiptKeys,
		},
		{
			name: "ConcurrentReceipts",
			rule: "SaveReceipt, Thread and Receipt from 50 goroutines at once are race-free and every save is visible " +
				"afterwards",
			check: checkConcurrentReceipts,
		},
		{
			name: "ConcurrentSavesOfOneThread",
			rule: "SaveReceipt from 50 goroutines on one incident and channel sets Root once: every reader sees the " +
				"same Root, and Last is one of the receipts saved",
			check: checkConcurrentSavesOfOneThread,
		},
	}
}

func checkReceiptTimesInAnyZone(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	// Amsterdam's mean time until 1937 (+00:19:32), New York's before
	// 1883 (-04:56:02), and an offset a second past the hour.
	zones := []*time.Location{time.FixedZone("AMT", 19*60+32), time.FixedZone("LMT", -(4*3600 + 56*60 + 2)),
		time.FixedZone("odd", 3600+1)}
	var first broadcast.Receipt
	for i, zone := range zones {
		r := receipt("x", fmt.Sprint("u", i), i)
		r.Time = time.Date(1930, 6, 1, 12, 0, 59, 123_456_789, zone)
		r.UpdateTime = time.Date(2025, 3, 14, 15, 9, 26, 535_897_932, zones[(i+1)%len(zones)])
		if i == 0 {
			first = r
		}
		require.NoError(t, s.SaveReceipt(ctx, "inc", r.UpdateID, r))
		got, ok := savedReceipt(t, s, r.UpdateID, "x")
		if assert.True(t, ok, "receipt of %s", r.UpdateID) {
			assertReceipt(t, r, got)
		}
		assertThread(t, s, "inc", "x", first, r)
	}
}

func checkUnknownThread(t *testing.T, s broadcast.Store) {
	th := thread(t, s, "never-seen", "email")
	assert.True(t, th.IsZero(), "got %+v", th)

	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", receipt("x", "u1", 1)))
	th = thread(t, s, "inc", "email")
	assert.True(t, th.IsZero(), "a receipt of x is not one of email: got %+v", th)
}

func checkUnknownReceipt(t *testing.T, s broadcast.Store) {
	r, ok := savedReceipt(t, s, "never-seen", "email")
	assert.False(t, ok)
	assert.True(t, r.IsZero(), "got %+v", r)
}

func checkFirstSaveIsRootAndLast(t *testing.T, s broadcast.Store) {
	want := receipt("email", "u1", 1)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", want))
	assertThread(t, s, "inc", "email", want, want)

	// A receipt with only a channel and a time (IRC has no id, no URL, no
	// extras).
	bare := broadcast.Receipt{Channel: "irc", Time: want.Time}
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", bare))
	assertThread(t, s, "inc", "irc", bare, bare)
}

func checkLaterSavesMoveLast(t *testing.T, s broadcast.Store) {
	first := receipt("x", "u1", 5)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", first))
	for n := 6; n <= 8; n++ {
		r := receipt("x", fmt.Sprint("u", n), n)
		require.NoError(t, s.SaveReceipt(context.Background(), "inc", r.UpdateID, r))
		assertThread(t, s, "inc", "x", first, r)
	}
	// Latest means saved last, not the latest Time; first means saved
	// first, not the earliest Time.
	older := receipt("x", "u0", 0)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u0", older))
	assertThread(t, s, "inc", "x", first, older)

	// A first receipt without an id (IRC has none) is the Root all the
	// same: a Root is there when a receipt was saved, not when it has an
	// id.
	bare := broadcast.Receipt{Channel: "irc", Time: first.Time}
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u5", bare))
	later := receipt("irc", "u6", 6)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u6", later))
	assertThread(t, s, "inc", "irc", bare, later)
}

func checkReceiptOfUpdate(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	r1, r2 := receipt("x", "u1", 1), receipt("x", "u2", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", r1))
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u2", r2))
	bare := broadcast.Receipt{Channel: "irc", Time: r1.Time}
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", bare))

	for _, want := range []broadcast.Receipt{r1, r2} {
		got, ok := savedReceipt(t, s, want.UpdateID, "x")
		if assert.True(t, ok, want.UpdateID) {
			assertReceipt(t, want, got)
		}
	}
	got, ok := savedReceipt(t, s, "u1", "irc")
	if assert.True(t, ok, "u1 on irc") {
		assertReceipt(t, bare, got)
	}
	for _, k := range [][2]string{{"u2", "irc"}, {"u3", "x"}, {"inc", "x"}, {"u1", "email"}} {
		_, ok := savedReceipt(t, s, k[0], k[1])
		assert.False(t, ok, "update %q, channel %q was never saved", k[0], k[1])
	}
}

func checkReceiptSavedAgain(t *testing.T, s broadcast.Store) {
	first, again := receipt("x", "u1", 1), receipt("x", "u1", 2)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", first))
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", again))
	got, ok := savedReceipt(t, s, "u1", "x")
	require.True(t, ok)
	assertReceipt(t, again, got)
	assertThread(t, s, "inc", "x", first, again)
}

func checkSavedMetaIsCopied(t *testing.T, s broadcast.Store) {
	r := receipt("slack", "u1", 1)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", r))
	r.Meta["n"] = "changed"
	r.Meta["added"] = "yes"

	want := receipt("slack", "u1", 1)
	assertThread(t, s, "inc", "slack", want, want)
	got, ok := savedReceipt(t, s, "u1", "slack")
	require.True(t, ok)
	assertReceipt(t, want, got)
}

func checkReturnedMetaIsCopied(t *testing.T, s broadcast.Store) {
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", receipt("slack", "u1", 1)))
	th := thread(t, s, "inc", "slack")
	got, ok := savedReceipt(t, s, "u1", "slack")
	require.True(t, ok)
	for _, m := range []map[string]string{th.Root.Meta, th.Last.Meta, got.Meta} {
		if m != nil {
			m["n"] = "changed"
			m["added"] = "yes"
		}
	}

	want := receipt("slack", "u1", 1)
	assertThread(t, s, "inc", "slack", want, want)
	got, ok = savedReceipt(t, s, "u1", "slack")
	require.True(t, ok)
	assertReceipt(t, want, got)
}

func checkThreadsPerIncidentAndChannel(t *testing.T, s broadcast.Store) {
	saved := map[[2]string]broadcast.Receipt{}
	n := 0
	for _, inc := range []string{"inc-1", "inc-2"} {
		for _, ch := range []string{"x", "email"} {
			n++
			r := receipt(ch, fmt.Sprint("u", n), n)
			saved[[2]string{inc, ch}] = r
			require.NoError(t, s.SaveReceipt(context.Background(), inc, r.UpdateID, r))
		}
	}
	for key, want := range saved {
		assertThread(t, s, key[0], key[1], want, want)
	}
	assert.True(t, thread(t, s, "inc-3", "x").IsZero())
}

// ambiguous pairs are (first, second) ids that a careless key encoding,
// such as joining with a separator, maps to the same key.
var ambiguous = [][2]string{
	{"a\x00b", "c"}, {"a", "b\x00c"},
	{"a/b", "c"}, {"a", "b/c"},
	{"a:b", "c"}, {"a", "b:c"},
	{"ab", "c"}, {"a", "bc"},
	{"", "abc"}, {"abc", ""},
	{"é", "x"}, {"e\u0301", "x"},
}

func checkReceiptKeysAreNotAmbiguous(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	for i, k := range ambiguous {
		// k is (incident, channel) of a thread and (update, channel) of a
		// receipt at once.
		r := receipt(k[1], k[0], i)
		require.NoError(t, s.SaveReceipt(ctx, k[0], k[0], r), "%q", k)
	}
	for i, k := range ambiguous {
		want := receipt(k[1], k[0], i)
		if !assertThread(t, s, k[0], k[1], want, want) {
			t.Errorf("incident %q, channel %q: got another's thread", k[0], k[1])
		}
		got, ok := savedReceipt(t, s, k[0], k[1])
		require.True(t, ok, "%q", k)
		if !assertReceipt(t, want, got) {
			t.Errorf("update %q, channel %q: got another's receipt", k[0], k[1])
		}
	}
}

func checkLongReceiptKeys(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	// A URL of hex digits that no compression shortens much: a Store
	// that indexes the ids must not depend on it.
	var long strings.Builder
	long.WriteString("https://hooks.example.com/")
	for i := 0; long.Len() < 4096; i++ {
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		long.WriteString(hex.EncodeToString(sum[:]))
	}
	id := "\x00post\x00" + long.String() + "\x00u1"
	want := receipt("webhook", id, 1)
	require.NoError(t, s.SaveReceipt(ctx, id, id, want))
	assertThread(t, s, id, "webhook", want, want)
	got, ok := savedReceipt(t, s, id, "webhook")
	if assert.True(t, ok, "the receipt saved under a long update id") {
		assertReceipt(t, want, got)
	}
	prefix := id[:len(id)-1]
	assert.True(t, thread(t, s, prefix, "webhook").IsZero(), "a prefix of the incident id has no thread")
	_, ok = savedReceipt(t, s, prefix, "webhook")
	assert.False(t, ok, "a prefix of the update id has no receipt")
}

func checkConcurrentReceipts(t *testing.T, s broadcast.Store) {
	const n = 50
	ctx := context.Background()
	parallel(n, func(i int) {
		inc, ch, u := fmt.Sprintf("inc-%d", i%5), fmt.Sprintf("ch-%d", i), fmt.Sprintf("u-%d", i)
		assert.NoError(t, s.SaveReceipt(ctx, inc, u, receipt(ch, u, i)))
		_, err := s.Thread(ctx, inc, fmt.Sprintf("ch-%d", (i+1)%n))
		assert.NoError(t, err)
		_, _, err = s.Receipt(ctx, fmt.Sprintf("u-%d", (i+1)%n), ch)
		assert.NoError(t, err)
	})
	for i := range n {
		ch, u := fmt.Sprintf("ch-%d", i), fmt.Sprintf("u-%d", i)
		want := receipt(ch, u, i)
		assertThread(t, s, fmt.Sprintf("inc-%d", i%5), ch, want, want)
		got, ok := savedReceipt(t, s, u, ch)
		if assert.True(t, ok, u) {
			assertReceipt(t, want, got)
		}
	}
}

func checkConcurrentSavesOfOneThread(t *testing.T, s broadcast.Store) {
	const n = 50
	ctx := context.Background()
	roots := make([]string, n) // the Root.ID each saver read after saving
	parallel(n, func(i int) {
		u := fmt.Sprintf("u-%d", i)
		assert.NoError(t, s.SaveReceipt(ctx, "inc", u, receipt("x", u, i)))
		th, err := s.Thread(ctx, "inc", "x")
		assert.NoError(t, err)
		roots[i] = th.Root.ID
	})
	th := thread(t, s, "inc", "x")
	require.False(t, th.Root.IsZero(), "no Root")
	for i, id := range roots {
		assert.Equal(t, th.Root.ID, id, "saver %d read another Root: Root was set more than once", i)
	}
	var n1, n2 int
	_, err1 := fmt.Sscanf(th.Root.UpdateID, "u-%d", &n1)
	_, err2 := fmt.Sscanf(th.Last.UpdateID, "u-%d", &n2)
	require.NoError(t, err1, "Root is none of the receipts saved: %+v", th.Root)
	require.NoError(t, err2, "Last is none of the receipts saved: %+v", th.Last)
	assertReceipt(t, receipt("x", th.Root.UpdateID, n1), th.Root)
	assertReceipt(t, receipt("x", th.Last.UpdateID, n2), th.Last)
}
