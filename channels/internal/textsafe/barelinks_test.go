package textsafe

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inBareLink is BareLinks(s)(i) as it was first written: it walks back
// from s[i] to the start of its run for each i, which costs the square of
// a run's length over all of it; BareLinks must answer as it does.
func inBareLink(s string, i int) bool {
	start := i
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:start])
		if r <= ' ' || r == 0x7f || strings.ContainsRune("<>\"", r) || EndsLink(r) || unicode.IsSpace(r) || unicode.Is(unicode.Z, r) {
			break
		}
		start -= n
	}
	host := s[start : i+1]
	end := strings.IndexAny(host, "/?#")
	if end < 0 {
		return false
	}
	return linkedHost(host[:end])
}

// BareLinks answers as the walk back from each byte to the start of its
// run does, for every byte of many generated texts: links with and
// without user information, ports and top-level domains Telegram knows,
// every character that ends a run, and invalid UTF-8.
func TestBareLinksAsWalkingBack(t *testing.T) {
	pieces := []string{"a", "Z", "1", "_", "-", "~", ".", ":", "/", "?", "#", "=", "@", "(", ",", " ", "\t", "\n", "<", ">", "\"",
		"«", "\u2026", "\u2011", "\u2028", "\u00a0", "\u3000", "ü", "é", "\x7f", "\xe2\x80", "\x80", "\xff",
		"com", "COM", "Com", "de", "example", "internal", "xn--p1ai", "x.com", "ops@", "https://", "8080"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		inLink := BareLinks(s)
		for i := range len(s) {
			if got, want := inLink(i), inBareLink(s, i); got != want {
				require.Failf(t, "BareLinks differs", "%q at %d: %v, want %v", s, i, got, want)
			}
		}
	}
	assert.True(t, BareLinks("see x.com/@ops")(9))
	assert.False(t, BareLinks("see x.example/@ops")(13))
}

// Breaking the mentions of a long text costs no more than reading it:
// each "@" after "/" once walked back to the start of its run, which for
// 20 KB of "/@ab" took about a second and for this one would take hours,
// far past any test's deadline. The size is what fails the test then,
// not a measured time.
func TestQuietMentionsLongRun(t *testing.T) {
	for _, tt := range []struct {
		unit   string
		broken bool
	}{{"/@ab", true}, {"x.com/@ab", false}, {"=@a/", true}, {"x.com?q=@a&", false}} {
		s := strings.Repeat(tt.unit, 1<<20/len(tt.unit))
		want := s
		if tt.broken {
			want = strings.ReplaceAll(s, "@", "@"+WordJoiner)
		}
		assert.True(t, want == QuietTelegramMentions(s), tt.unit)
	}
}
