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

// TestDroppedPathsReadOnce checks that the question whether each mention
// is in the path of a link X drops reads the links once, not once for
// each mention: every mention used to look through all the links before
// it, so that a text of many links and mentions ("a.co @a " repeated)
// took time growing with the square of its length.
func TestDroppedPathsReadOnce(t *testing.T) {
	for _, n := range []int{500, 4_000} {
		s := strings.Repeat("a.co @a ", n)
		d := droppedPaths{s: s, found: findURLs(s), path: unknown}
		if len(d.found) != n {
			t.Fatalf("findURLs found %d links in %d copies of %q", len(d.found), n, "a.co @a ")
		}
		for at := range s {
			if s[at] == '@' && d.inPath(at) {
				t.Fatalf("the mention at %d is in no link's path, inPath says it is", at)
			}
		}
		if bound := 2 * len(s); d.steps > bound {
			t.Fatalf("asking about %d mentions among %d links took %d steps, want at most %d", n, n, d.steps, bound)
		}
	}
}

// TestDroppedPathsInPath checks which at signs are in the path of a link:
// after its first "/" and before a "?".
func TestDroppedPathsInPath(t *testing.T) {
	s := "@a x.co@b x.co/@c/@d?@e y.co/@f?@g/@i z.co/-@h"
	d := droppedPaths{s: s, found: findURLs(s), path: unknown}
	var in []string
	for at := range s {
		if s[at] == '@' && d.inPath(at) {
			in = append(in, s[at+1:at+2])
		}
	}
	if got := strings.Join(in, ""); got != "cdfh" {
		t.Fatalf("at signs in a path: %q, want %q (links %v)", got, "cdfh", findURLs(s))
	}
}
