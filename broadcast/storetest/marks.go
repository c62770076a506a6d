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
			rule:  "Done is false, without error, for a target never marked",
			check: checkNotDoneBeforeMark,
		},
		{
			name:  "MarkDeliveredOrFailed",
			rule:  "Mark with a nil error (delivered) and Mark with an error (failed for good) both make Done true",
			check: checkMarkDeliveredOrFailed,
		},
		{
			name:  "MarkTwice",
			rule:  "marking a target again is not an error and leaves it done",
			check: checkMarkTwice,
		},
		{
			name: "MarksPerUpdateChannelTarget",
			rule: "a mark belongs to one update, one channel and one target; target \"\" (the channel " +
				"as a whole) is distinct from every recipient",
			check: checkMarksPerUpdateChannelTarget,
		},
		{
			name: "MarkKeysAreNotAmbiguous",
			rule: "update ids, channel names and targets are arbitrary strings: separators, NUL bytes, " +
				"non-ASCII and prefixes of each other never make two marks collide",
			check: checkMarkKeysAreNotAmbiguous,
		},
		{
			name:  "LongTargets",
			rule:  "a target of a few kilobytes (a long URL) can be marked",
			check: checkLongTargets,
		},
		{
			name:  "ConcurrentMarks",
			rule:  "Mark and Done from 50 goroutines at once are race-free and every mark is visible afterwards",
			check: checkConcurrentMarks,
		},
	}
}

func checkNotDoneBeforeMark(t *testing.T, s broadcast.Store) {
	assert.False(t, done(t, s, "u1", "email", "ada@example.com"))
	assert.False(t, done(t, s, "u1", "email", ""))
}

func checkMarkDeliveredOrFailed(t *testing.T, s broadcast.Store) {
	failures := []struct {
		name string
		err  error
	}{
		{"delivered", nil},
		{"failed", errors.New("550 5.1.1 mailbox unavailable")},
		{"failed permanently", broadcast.Permanent(errors.New("410 gone"))},
		{"failed without text", errors.New("")},
	}
	for i, f := range failures {
		target := fmt.Sprintf("rcpt-%d@example.com", i)
		require.NoError(t, s.Mark(context.Background(), "u1", "email", target, f.err), f.name)
		assert.True(t, done(t, s, "u1", "email", target), f.name)
	}
}

func checkMarkTwice(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user")))
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	assert.True(t, done(t, s, "u1", "email", "ada@example.com"))
}

func checkMarksPerUpdateChannelTarget(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u2", "x", "", nil))

	tests := []struct {
		update, channel, target string
		want                    bool
	}{
		{"u1", "email", "ada@example.com", true},
		{"u1", "email", "", false},
		{"u1", "email", "bob@example.com", false},
		{"u1", "webhook", "ada@example.com", false},
		{"u2", "email", "ada@example.com", false},
		{"u2", "x", "", true},
		{"u2", "x", "ada@example.com", false},
		{"u1", "x", "", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, done(t, s, tt.update, tt.channel, tt.target), "%+v", tt)
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
		{"é", "x", ""}, {"e\u0301", "x", ""},
	}
	for skip, want := range triples {
		t.Run(fmt.Sprint(skip), func(t *testing.T) {
			for i, k := range triples {
				if i != skip {
					require.NoError(t, s.Mark(context.Background(), k[0], k[1], k[2]+"#"+fmt.Sprint(skip), nil))
				}
			}
			assert.False(t, done(t, s, want[0], want[1], want[2]+"#"+fmt.Sprint(skip)), "%q", want)
		})
	}
}

func checkLongTargets(t *testing.T, s broadcast.Store) {
	long := "https://hooks.example.com/" + strings.Repeat("p", 4096)
	require.NoError(t, s.Mark(context.Background(), "u1", "webhook", long, nil))
	assert.True(t, done(t, s, "u1", "webhook", long))
	assert.False(t, done(t, s, "u1", "webhook", long[:len(long)-1]))
}

func checkConcurrentMarks(t *testing.T, s broadcast.Store) {
	const n = 50
	target := func(i int) string { return fmt.Sprintf("rcpt-%02d@example.com", i) }
	parallel(n, func(i int) {
		var failure error
		if i%7 == 0 {
			failure = errors.New("550 mailbox unavailable")
		}
		assert.NoError(t, s.Mark(context.Background(), "u1", "email", target(i), failure))
		_, err := s.Done(context.Background(), "u1", "email", target((i+1)%n))
		assert.NoError(t, err)
	})
	for i := range n {
		assert.True(t, done(t, s, "u1", "email", target(i)), target(i))
	}
	assert.False(t, done(t, s, "u1", "email", target(n)))
}
