package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func receiptRules() []rule {
	return []rule{
		{
			name:  "UnknownReceipt",
			rule:  "LastReceipt of an incident and channel never saved reports not found, a zero Receipt and no error",
			check: checkUnknownReceipt,
		},
		{
			name:  "SaveThenLastReceipt",
			rule:  "LastReceipt returns what SaveReceipt saved, every field of it",
			check: checkSaveThenLast,
		},
		{
			name:  "SavedMetaIsCopied",
			rule:  "changing the caller's Meta map after SaveReceipt does not change the stored receipt",
			check: checkSavedMetaIsCopied,
		},
		{
			name:  "ReturnedMetaIsCopied",
			rule:  "changing the Meta map LastReceipt returned does not change the stored receipt",
			check: checkReturnedMetaIsCopied,
		},
		{
			name:  "LatestReceiptWins",
			rule:  "SaveReceipt replaces the incident's earlier receipt of the same channel",
			check: checkLatestReceiptWins,
		},
		{
			name:  "ReceiptsPerIncidentAndChannel",
			rule:  "a receipt belongs to one incident and one channel; it is never returned for another",
			check: checkReceiptsPerIncidentAndChannel,
		},
		{
			name: "ReceiptKeysAreNotAmbiguous",
			rule: "incident ids and channel names are arbitrary strings: separators, NUL bytes, " +
				"non-ASCII and prefixes of each other never make two receipts collide",
			check: checkReceiptKeysAreNotAmbiguous,
		},
		{
			name:  "ConcurrentReceipts",
			rule:  "SaveReceipt and LastReceipt from 50 goroutines at once are race-free and every save is visible",
			check: checkConcurrentReceipts,
		},
	}
}

func checkUnknownReceipt(t *testing.T, s broadcast.Store) {
	r, ok := lastReceipt(t, s, "never-seen", "email")
	assert.False(t, ok)
	assert.True(t, r.IsZero(), "got %+v", r)

	require.NoError(t, s.SaveReceipt(context.Background(), "inc", receipt("x", 1)))
	_, ok = lastReceipt(t, s, "inc", "email")
	assert.False(t, ok, "a receipt of x is not one of email")
}

func checkSaveThenLast(t *testing.T, s broadcast.Store) {
	want := receipt("email", 1)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", want))
	got, ok := lastReceipt(t, s, "inc", "email")
	require.True(t, ok)
	assertReceipt(t, want, got)

	// A receipt with only a channel (IRC has no id, no URL, no extras).
	bare := broadcast.Receipt{Channel: "irc", Time: want.Time}
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", bare))
	got, ok = lastReceipt(t, s, "inc", "irc")
	require.True(t, ok)
	assertReceipt(t, bare, got)
}

func checkSavedMetaIsCopied(t *testing.T, s broadcast.Store) {
	r := receipt("slack", 1)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", r))
	r.Meta["n"] = "changed"
	r.Meta["added"] = "yes"

	got, ok := lastReceipt(t, s, "inc", "slack")
	require.True(t, ok)
	assertReceipt(t, receipt("slack", 1), got)
}

func checkReturnedMetaIsCopied(t *testing.T, s broadcast.Store) {
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", receipt("slack", 1)))
	got, ok := lastReceipt(t, s, "inc", "slack")
	require.True(t, ok)
	got.Meta["n"] = "changed"
	got.Meta["added"] = "yes"

	again, ok := lastReceipt(t, s, "inc", "slack")
	require.True(t, ok)
	assertReceipt(t, receipt("slack", 1), again)
}

func checkLatestReceiptWins(t *testing.T, s broadcast.Store) {
	for n := 1; n <= 3; n++ {
		require.NoError(t, s.SaveReceipt(context.Background(), "inc", receipt("x", n)))
	}
	got, ok := lastReceipt(t, s, "inc", "x")
	require.True(t, ok)
	assertReceipt(t, receipt("x", 3), got)

	// Latest means saved last, not the latest Time.
	older := receipt("x", 0)
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", older))
	got, _ = lastReceipt(t, s, "inc", "x")
	assertReceipt(t, older, got)
}

func checkReceiptsPerIncidentAndChannel(t *testing.T, s broadcast.Store) {
	saved := map[[2]string]broadcast.Receipt{}
	n := 0
	for _, inc := range []string{"inc-1", "inc-2"} {
		for _, ch := range []string{"x", "email"} {
			n++
			saved[[2]string{inc, ch}] = receipt(ch, n)
			require.NoError(t, s.SaveReceipt(context.Background(), inc, receipt(ch, n)))
		}
	}
	for key, want := range saved {
		got, ok := lastReceipt(t, s, key[0], key[1])
		require.True(t, ok, "%q %q", key[0], key[1])
		assertReceipt(t, want, got)
	}
	_, ok := lastReceipt(t, s, "inc-3", "x")
	assert.False(t, ok)
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
	for i, k := range ambiguous {
		r := receipt(k[1], i)
		require.NoError(t, s.SaveReceipt(context.Background(), k[0], r), "%q", k)
	}
	for i, k := range ambiguous {
		got, ok := lastReceipt(t, s, k[0], k[1])
		require.True(t, ok, "%q", k)
		if !assertReceipt(t, receipt(k[1], i), got) {
			t.Errorf("incident %q, channel %q: got another's receipt", k[0], k[1])
		}
	}
}

func checkConcurrentReceipts(t *testing.T, s broadcast.Store) {
	const n = 50
	parallel(n, func(i int) {
		inc := fmt.Sprintf("inc-%d", i%5)
		ch := fmt.Sprintf("ch-%d", i)
		assert.NoError(t, s.SaveReceipt(context.Background(), inc, receipt(ch, i)))
		_, _, err := s.LastReceipt(context.Background(), inc, fmt.Sprintf("ch-%d", (i+1)%n))
		assert.NoError(t, err)
	})
	for i := range n {
		ch := fmt.Sprintf("ch-%d", i)
		got, ok := lastReceipt(t, s, fmt.Sprintf("inc-%d", i%5), ch)
		if assert.True(t, ok, ch) {
			assertReceipt(t, receipt(ch, i), got)
		}
	}
}
