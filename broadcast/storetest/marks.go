package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func markRules() []rule {
	return []rule{
		{
			name:  "NotDoneBeforeMark",
			rule:  "Done is (false, \"\"), without error, for a target never marked",
			check: checkNotDoneBeforeMark,
		},
		{
			name:  "MarkDelivered",
			rule:  "after Mark with a nil error (delivered), Done is (true, \"\")",
			check: checkMarkDelivered,
		},
		{
			name: "MarkFailedKeepsReason",
			rule: "after Mark with an error (failed for good), Done is true with the error's text exactly as " +
				"err.Error() gave it: multi-line, non-ASCII and long reasons alike",
			check: checkMarkFailedKeepsReason,
		},
		{
			name: "MarkFailedKeepsBytes",
			rule: "a failure's text is kept byte for byte: NUL bytes and bytes that are not UTF-8 (a server's " +
				"reply quoted in the error) come back from Done as Mark was given them, neither replaced nor refused",
			check: checkMarkFailedKeepsBytes,
		},
		{
			name:  "MarkFailedWithoutText",
			rule:  "after Mark with an error whose text is empty, Done is (true, \"failed\"), never a delivery",
			check: checkMarkFailedWithoutText,
		},
		{
			name: "MarkAgainLastWins",
			rule: "marking a target again is not an error and replaces its mark: the last Mark wins, delivered or " +
				"failed, with its reason, for target \"\" and any other",
			check: checkMarkAgainLastWins,
		},
		{
			name: "MarksPerUpdateChannelTarget",
			rule: "a mark belongs to one update, one channel and one target; target \"\" (the channel " +
				"as a whole) is distinct from every recipient",
			check: checkMarksPerUpdateChannelTarget,
		},
		{
			name: "MarksAndReceiptsApart",
			rule: "an update's mark and its receipt on a channel are kept apart: a mark makes no receipt and no " +
				"thread, a receipt saved before or after the mark (again, as a correction's) is found as saved, " +
				"and a receipt makes no mark",
			check: checkMarksAndReceiptsApart,
		},
		{
			name: "MarkKeysAreNotAmbiguous",
			rule: "update ids, channel names and targets are arbitrary strings: separators, NUL bytes, " +
				"non-ASCII and prefixes of each other never make two marks collide",
			check: checkMarkKeysAreNotAmbiguous,
		},
		{
			name:  "LongTargets",
			rule:  "a target of a few kilobytes (a long URL) can be marked, and is told apart from its prefixes",
			check: checkLongTargets,
		},
		{
			name: "ConcurrentMarks",
			rule: "Mark and Done from 50 goroutines at once are race-free and every mark, with its reason, is " +
				"visible afterwards",
			check: checkConcurrentMarks,
		},
	}
}

func checkNotDoneBeforeMark(t *testing.T, s broadcast.Store) {
	assertDone(t, s, "u1", "email", "ada@example.com", false, "")
	assertDone(t, s, "u1", "email", "", false, "")
}

func checkMarkDelivered(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u1", "email", "", nil))
	assertDone(t, s, "u1", "email", "ada@example.com", true, "")
	assertDone(t, s, "u1", "email", "", true, "")
}

func checkMarkFailedKeepsReason(t *testing.T, s broadcast.Store) {
	failures := []error{
		errors.New("550 5.1.1 <bob@example.com>: mailbox unavailable"),
		broadcast.Permanent(errors.New("410 gone")),
		fmt.Errorf("post: %w", broadcast.Permanent(errors.New("403 forbidden"))),
		errors.New("550-5.1.1 first line\n550 5.1.1 second line"),
		errors.New("rejected: «Ungültiger Empfänger» 受信者が無効です 🚫"),
		errors.New("  spaces kept  "),
		errors.New("failed"),
		errors.New(strings.Repeat("long reason, ", 400)),
	}
	for i, err := range failures {
		target := fmt.Sprintf("rcpt-%d@example.com", i)
		require.NoError(t, s.Mark(context.Background(), "u1", "email", target, err))
		assertDone(t, s, "u1", "email", target, true, err.Error())
	}
}

func checkMarkFailedKeepsBytes(t *testing.T, s broadcast.Store) {
	failures := []string{
		"550 bad\x00byte",
		"\x00",
		"550 \xff\xfe latin-1: caf\xe9",
		"cut in a sequence: \xe2\x82",
		"\xed\xa0\x80 surrogate, \xc0\xaf overlong",
		"\x00\xff\x00",
	}
	for i, text := range failures {
		target := fmt.Sprintf("rcpt-%d@example.com", i)
		require.NoError(t, s.Mark(context.Background(), "u1", "email", target, errors.New(text)), "%q", text)
		assertDone(t, s, "u1", "email", target, true, text)
	}
}

func checkMarkFailedWithoutText(t *testing.T, s broadcast.Store) {
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "ada@example.com", errors.New("")))
	assertDone(t, s, "u1", "email", "ada@example.com", true, "failed")
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "bob@example.com",
		broadcast.Permanent(errors.New(""))))
	assertDone(t, s, "u1", "email", "bob@example.com", true, "failed")
}

// checkMarkAgainLastWins marks a recipient, the channel as a whole and the
// Broadcaster's own mark of an attempt under way (a target that starts with
// NUL, marked delivered before an attempt and failed once it was answered)
// again and again.
func checkMarkAgainLastWins(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	steps := []struct {
		failure error
		want    string
	}{
		{errors.New("550 no such user"), "550 no such user"},
		{nil, ""}, // a failure was tried again, and delivered
		{nil, ""},
		{errors.New("552 mailbox full"), "552 mailbox full"},
		{errors.New("554 rejected"), "554 rejected"},
		{nil, ""},
	}
	for _, target := range []string{"ada@example.com", "", "\x00attempted"} {
		for i, step := range steps {
			require.NoError(t, s.Mark(ctx, "u1", "email", target, step.failure), "target %q, mark %d", target, i)
			if !assertDone(t, s, "u1", "email", target, true, step.want) {
				t.Errorf("target %q: mark %d did not replace the one before", target, i)
			}
		}
	}
}

func checkMarksPerUpdateChannelTarget(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u1", "email", "bob@example.com", errors.New("550 no such user")))
	require.NoError(t, s.Mark(ctx, "u2", "x", "", nil))

	tests := []struct {
		update, channel, target string
		want                    bool
		failure                 string
	}{
		{"u1", "email", "ada@example.com", true, ""},
		{"u1", "email", "bob@example.com", true, "550 no such user"},
		{"u1", "email", "", false, ""},
		{"u1", "email", "eve@example.com", false, ""},
		{"u1", "webhook", "ada@example.com", false, ""},
		{"u2", "email", "ada@example.com", false, ""},
		{"u2", "email", "bob@example.com", false, ""},
		{"u2", "x", "", true, ""},
		{"u2", "x", "ada@example.com", false, ""},
		{"u1", "x", "", false, ""},
	}
	for _, tt := range tests {
		assertDone(t, s, tt.update, tt.channel, tt.target, tt.want, tt.failure)
	}
}

func checkMarksAndReceiptsApart(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	_, ok := savedReceipt(t, s, "u1", "x")
	assert.False(t, ok, "a mark of u1 on x made a receipt")
	assert.True(t, thread(t, s, "inc", "x").IsZero(), "a mark of u1 on x made a thread")

	r1 := receipt("x", "u1", 1)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", r1))
	got, ok := savedReceipt(t, s, "u1", "x")
	if assert.True(t, ok, "the receipt of u1, saved after its mark") {
		assertReceipt(t, r1, got)
	}
	assertDone(t, s, "u1", "x", "", true, "")

	edited := receipt("x", "u1", 2)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", edited))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", errors.New("retracted")))
	got, ok = savedReceipt(t, s, "u1", "x")
	if assert.True(t, ok, "the receipt of u1, saved again after its mark, then marked again") {
		assertReceipt(t, edited, got)
	}
	assertThread(t, s, "inc", "x", r1, edited)

	r3 := receipt("x", "u3", 3)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u3", r3))
	assertDone(t, s, "u3", "x", "", false, "")
	require.NoError(t, s.Mark(ctx, "u3", "x", "", nil))
	got, ok = savedReceipt(t, s, "u3", "x")
	if assert.True(t, ok, "the receipt of u3, saved before its mark") {
		assertReceipt(t, r3, got)
	}
}

func checkMarkKeysAreNotAmbiguous(t *testing.T, s broadcast.Store) {
	// Every triple is marked except the one checked, in turn: a collision
	// with any of the others makes it look done.
	triples := [][3]string{
		{"u\x00e", "mail", "t"}, {"u", "e\x00mail", "t"}, {"u", "e", "mail\x00t"},
		{"u/e", "mail", "t"}, {"u", "e/mail", "t"}, {"u", "e", "mail/t"},
		{"ue", "mail", "t"}, {"u", "email", "t"}, {"u", "e", "mailt"},
		{"uemail", "t", ""}, {"", "uemail", "t"}, {"u", "", "emailt"},
		{"\x00retract\x00u", "e", ""}, {"u", "e", ""},
		{"é", "x", ""}, {"e\u0301", "x", ""},
	}
	for skip, want := range triples {
		t.Run(fmt.Sprint(skip), func(t *testing.T) {
			suffix := "#" + fmt.Sprint(skip)
			for i, k := range triples {
				if i != skip {
					require.NoError(t, s.Mark(context.Background(), k[0], k[1], k[2]+suffix, errors.New(fmt.Sprint(i))))
				}
			}
			if !assertDone(t, s, want[0], want[1], want[2]+suffix, false, "") {
				t.Errorf("%q collides with another mark", want)
			}
		})
	}
}

func checkLongTargets(t *testing.T, s broadcast.Store) {
	long := "https://hooks.example.com/" + strings.Repeat("p", 4096)
	require.NoError(t, s.Mark(context.Background(), "u1", "webhook", long, nil))
	require.NoError(t, s.Mark(context.Background(), "u1", "webhook", long+"/gone", errors.New("410 gone")))
	assertDone(t, s, "u1", "webhook", long, true, "")
	assertDone(t, s, "u1", "webhook", long+"/gone", true, "410 gone")
	assertDone(t, s, "u1", "webhook", long[:len(long)-1], false, "")
	assertDone(t, s, "u1", "webhook", long[:1024], false, "")
}

func checkConcurrentMarks(t *testing.T, s broadcast.Store) {
	const n = 50
	target := func(i int) string { return fmt.Sprintf("rcpt-%02d@example.com", i) }
	failure := func(i int) error {
		if i%7 == 0 {
			return fmt.Errorf("550 mailbox %d unavailable", i)
		}
		return nil
	}
	parallel(n, func(i int) {
		assert.NoError(t, s.Mark(context.Background(), "u1", "email", target(i), failure(i)))
		_, _, err := s.Done(context.Background(), "u1", "email", target((i+1)%n))
		assert.NoError(t, err)
	})
	for i := range n {
		want := ""
		if err := failure(i); err != nil {
			want = err.Error()
		}
		assertDone(t, s, "u1", "email", target(i), true, want)
	}
	assertDone(t, s, "u1", "email", target(n), false, "")
}
