package twitter

import (
	"runtime"
	"strings"
	"testing"
)

// TestQuietMentionsRunOnDomain checks that a text of many mentions each of
// which runs into the same domain ("＠" is a character of one) is read
// once: every mention used to scan, and mark the dots of, all the rest of
// the text, so that an override or a body of 25,000 characters took
// seconds to weigh. The bytes allocated grow with the text, not with its
// square.
func TestQuietMentionsRunOnDomain(t *testing.T) {
	s := strings.Repeat("-＠a.", 2_000) // 8,000 characters, 2,000 mentions and dots
	if got := quietMentions(s); strings.Count(got, mentionBreak) != 2_000 {
		t.Fatalf("quietMentions broke %d mentions, want 2000", strings.Count(got, mentionBreak))
	}
	// The old scan made a mark for every pair of a mention and a later
	// dot: 2 million here, some 50 MB, four times as many for twice the text.
	small, large := allocated(func() { quietMentions(s) }), allocated(func() { quietMentions(s + s) })
	if large > 3*small {
		t.Fatalf("quietMentions allocated %d bytes for %d bytes of text, %d for twice that: more than 3 times as much",
			small, len(s), large)
	}
	if bound := uint64(1_000 * len(s)); small > bound {
		t.Fatalf("quietMentions of %d bytes allocated %d bytes, want at most %d", len(s), small, bound)
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestQuietMentionsRunOnDomainMarks checks the marks of mentions whose
// names run into one domain: a break after each at sign, a word joiner
// before each dot, and one before the link the domain runs into.
func TestQuietMentionsRunOnDomainMarks(t *testing.T) {
	got := quietMentions("-＠a.-＠b.-＠c.com https://x.co/@d")
	want := "-＠\u034Fa\u2060.-＠\u034Fb\u2060.-＠\u034Fc\u2060.com https://x.co/@d"
	if got != want {
		t.Fatalf("quietMentions = %q, want %q", got, want)
	}
}
