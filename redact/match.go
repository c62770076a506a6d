package redact

import (
	"sort"
	"strings"

	"github.com/outagecast/outagecast/internal/wordedge"
)

// matcher finds, at each place in a text, the longest form of a
// Redactor's that starts there. Unlike strings.Replacer, which resumes
// after each match, it looks at every place, so that occurrences that
// overlap (a shorter secret that starts first, a secret that overlaps
// itself) are all found.
type matcher struct {
	forms  []string         // the Redactor's, longest first
	shown  map[int32]string // the Redactor's: what replaces a form, where that is not Redacted
	words  []bool           // the Redactor's: of each form, whether it is found only where it stands apart
	sorted []int32          // every form, in the order of their text
	byte1  [256][2]int32    // the forms (range of sorted) that start with a byte
	maxLen int              // the longest form's length
	breaks bool             // whether a form holds a line break: a text's "\r\n" is then read as "\n" (see unbreak)
	ders   *derIndex        // the parts of the PEM blocks' bytes, nil when none
	// short2 has bit a<<8|b set where a form of one or two bytes starts
	// with the bytes a, b (each b, for a form of one byte a); start3 has
	// bit start3Bit(a, b, c) set where a longer one starts with a, b, c.
	// longest looks no further where neither is set: a key's many forms
	// (each line of its body, and those case-folded) start with most
	// pairs of letters, and would have it narrow the forms at nearly
	// every place of an ordinary text; few start with its triples.
	short2, start3 [1 << 16 / 64]uint64
}

func newMatcher(forms []string, words []bool, shown map[int32]string) *matcher {
	m := &matcher{forms: forms, words: words, shown: shown}
	m.sorted = make([]int32, 0, len(forms))
	for i, f := range forms {
		m.sorted = append(m.sorted, int32(i))
		m.maxLen = max(m.maxLen, len(f))
		m.breaks = m.breaks || strings.IndexByte(f, '\n') >= 0
	}
	sort.Slice(m.sorted, func(a, b int) bool { return m.form(m.sorted[a]) < m.form(m.sorted[b]) })
	for k, j := range m.sorted {
		r := &m.byte1[m.form(j)[0]]
		if r[0] == r[1] {
			r[0] = int32(k)
		}
		r[1] = int32(k + 1)
	}
	for _, f := range forms {
		switch len(f) {
		case 1:
			for b := range 256 {
				setBit(&m.short2, uint(f[0])<<8|uint(b))
			}
		case 2:
			setBit(&m.short2, uint(f[0])<<8|uint(f[1]))
		default:
			setBit(&m.start3, start3Bit(f[0], f[1], f[2]))
		}
	}
	return m
}

// start3Bit is the bit of start3 of a form that starts with a, b, c: a
// hash of the three, as 2^24 bits would be too many to hold.
func start3Bit(a, b, c byte) uint {
	return uint((uint32(a)<<16 | uint32(b)<<8 | uint32(c)) * 2654435761 >> 16)
}

func setBit(set *[1 << 16 / 64]uint64, k uint) { set[k/64] |= 1 << (k % 64) }

// mayStart reports whether a form may start s[i:], where one starts
// with its first byte: where it has three bytes or more, one of one or
// two bytes starts it, or a longer one starts as it does (or one of the
// few whose start shares the hash of its). Small enough to be inlined
// where each place of a text is looked at.
func (m *matcher) mayStart(s string, i int) bool {
	t := s[i:]
	if len(t) < 3 {
		return true
	}
	k, h := uint(t[0])<<8|uint(t[1]), start3Bit(t[0], t[1], t[2])
	return m.short2[k>>6]>>(k&63)&1 != 0 || m.start3[h>>6]>>(h&63)&1 != 0
}

func (m *matcher) form(j int32) string { return m.forms[j] }

// with returns what replaces form j.
func (m *matcher) with(j int32) string {
	if w, ok := m.shown[j]; ok {
		return w
	}
	return Redacted
}

// free reports whether form j is found wherever it occurs, also inside a
// word: one of minFreeForm bytes or more that is no word of WithWords.
func (m *matcher) free(j int32) bool { return len(m.form(j)) >= minFreeForm && !m.words[j] }

// minFreeForm is the length of the shortest form found inside a word: a
// shorter one (a password of a few characters, as is or in hex), and a
// word of WithWords whatever its length, is found only where it stands
// apart (see apart), or a one-letter secret would take that letter out
// of all text.
const minFreeForm = 6

// apart reports whether s[i:e] is not part of a longer word or number, by
// the rule wordedge.Apart keeps (a letter of any script or a digit runs a
// word on; a form of marks alone, "+" or "-+", stands apart only where no
// letter or digit touches it, so that a one-character password "+" does
// not take the "+" out of "(+k)" or "+R"), or where, before it, a
// quoted-printable escape ("=3D", "=20") ends, whose hex digits are no
// part of what follows.
func apart(s string, i, e int) bool {
	start, end := wordedge.Apart(s, i, e)
	return (start || qpEscapeBefore(s, i)) && end
}

// qpEscapeBefore reports whether s[:i] ends in a quoted-printable escape:
// "=" and two upper-case hex digits.
func qpEscapeBefore(s string, i int) bool {
	upperHex := func(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }
	return i >= 3 && s[i-3] == '=' && upperHex(s[i-2]) && upperHex(s[i-1])
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// longest returns the longest form that s[i:] starts with, or -1; a form
// shorter than minFreeForm only where it stands apart. It narrows
// the forms, in the order of their text, to those that start as t does,
// skipping at once what all that are left share: its cost grows with the
// length of the match and the places where the forms part, not with the
// number of forms that share a start (forms of many URLs, or of secrets
// with a common prefix, which a text of near matches had compared one by
// one at every place).
func (m *matcher) longest(s string, i int) int32 {
	t := s[i:]
	if t == "" || !m.mayStart(s, i) {
		return -1
	}
	best := int32(-1)
	lo, hi := int(m.byte1[t[0]][0]), int(m.byte1[t[0]][1])
	for d := 1; lo < hi; d++ {
		// The forms in [lo, hi) start with t[:d], and all with the
		// part the first and the last share.
		a := m.form(m.sorted[lo])
		if l := commonPrefix(a, m.form(m.sorted[hi-1])); l > d {
			if len(t) < l || t[d:l] != a[d:l] {
				return best // every form left is longer than t's match
			}
			d = l
		}
		if len(a) == d { // forms are unique: the only one of length d
			if m.free(m.sorted[lo]) || apart(s, i, i+d) {
				best = m.sorted[lo]
			}
			if lo++; lo == hi {
				break
			}
		}
		if d == len(t) {
			break
		}
		c, in := t[d], m.sorted[lo:hi]
		from := sort.Search(len(in), func(k int) bool { return m.form(in[k])[d] >= c })
		to := from + sort.Search(len(in)-from, func(k int) bool { return m.form(in[from+k])[d] > c })
		lo, hi = lo+from, lo+to
	}
	return best
}

// commonPrefix returns the length of the longest prefix a and b share.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// head reports whether t is the start of a form longer than t.
func (m *matcher) head(t string) bool {
	if len(t) >= m.maxLen {
		return false
	}
	k := sort.Search(len(m.sorted), func(k int) bool { return m.form(m.sorted[k]) >= t })
	if k < len(m.sorted) && m.form(m.sorted[k]) == t {
		k++ // forms are unique: the next one may start with t
	}
	return k < len(m.sorted) && strings.HasPrefix(m.form(m.sorted[k]), t)
}

// holds reports whether a form occurs in s.
func (m *matcher) holds(s string) bool {
	for i := range len(s) {
		if r := m.byte1[s[i]]; r[0] != r[1] && m.mayStart(s, i) && m.longest(s, i) >= 0 {
			return true
		}
	}
	return false
}

// replaceWith returns s with each run of overlapping occurrences of
// forms replaced by the replacement of the run's first (and, of those
// starting there, longest) form, followed by Redacted when the run
// reaches past that form and the replacement is not Redacted already (a
// URL shown). Each of spans (start, end: of s, sorted by start) is an
// occurrence too, replaced by Redacted: the forms found in s's base64
// (see base64Spans), which a form replaced first would hide from the
// decoding of its run (a REDACTED in the run's characters shifts those
// after it off the bytes they write). With cut, s is the start of a
// longer text, and a form's start at its end is left out, with all that
// follows.
func (m *matcher) replaceWith(s string, cut bool, spans [][2]int) string {
	var b strings.Builder
	written, end := 0, -1 // end: of the open run, -1 when none
	var with string
	var longer bool
	closeRun := func() {
		b.WriteString(with)
		if longer && with != Redacted {
			b.WriteString(Redacted)
		}
		written, end = end, -1
	}
	// found adds an occurrence at i that ends at e, replaced by w.
	found := func(i, e int, w string) {
		switch {
		case end < 0:
			b.WriteString(s[written:i])
			end, with, longer = e, w, false
		case e > end:
			end, longer = e, true
		}
	}
	for i := 0; i < len(s); i++ {
		if i == end {
			closeRun()
		}
		if cut && m.head(s[i:]) {
			if end >= 0 {
				closeRun()
			} else {
				b.WriteString(s[written:i])
			}
			return b.String()
		}
		for ; len(spans) > 0 && spans[0][0] <= i; spans = spans[1:] {
			found(i, spans[0][1], Redacted)
		}
		if r := m.byte1[s[i]]; r[0] == r[1] || !m.mayStart(s, i) {
			continue // no form starts here
		}
		if j := m.longest(s, i); j >= 0 {
			found(i, i+len(m.form(j)), m.with(j))
		}
	}
	if end >= 0 {
		closeRun()
	} else {
		b.WriteString(s[written:])
	}
	return b.String()
}
