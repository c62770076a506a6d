package redact

import (
	"sort"
	"strings"
)

// keyLen is the length of the prefix by which a matcher finds the forms
// that may start at a place in a text.
const keyLen = 8

// matcher finds, at each place in a text, the longest form of a
// Redactor's that starts there. Unlike strings.Replacer, which resumes
// after each match, it looks at every place, so that occurrences that
// overlap (a shorter secret that starts first, a secret that overlaps
// itself) are all found.
type matcher struct {
	pairs     []string           // the Redactor's: old, new, … longest old first
	long      map[string][]int32 // first keyLen bytes → forms, longest first
	short     map[string]int32   // a form shorter than keyLen → itself
	shortLens []int              // the lengths of short's forms, longest first
	first     [256]bool          // the bytes a form starts with
	sorted    []int32            // every form, in the order of their text
	maxLen    int                // the longest form's length
}

func newMatcher(pairs []string) *matcher {
	m := &matcher{pairs: pairs, long: map[string][]int32{}, short: map[string]int32{}}
	for i := 0; i < len(pairs); i += 2 {
		f, j := pairs[i], int32(i/2)
		m.first[f[0]] = true
		m.sorted = append(m.sorted, j)
		m.maxLen = max(m.maxLen, len(f))
		if len(f) >= keyLen {
			m.long[f[:keyLen]] = append(m.long[f[:keyLen]], j)
			continue
		}
		if _, ok := m.short[f]; !ok {
			m.short[f] = j
			if n := len(m.shortLens); n == 0 || m.shortLens[n-1] != len(f) { // pairs are by length
				m.shortLens = append(m.shortLens, len(f))
			}
		}
	}
	sort.Slice(m.sorted, func(a, b int) bool { return m.form(m.sorted[a]) < m.form(m.sorted[b]) })
	return m
}

func (m *matcher) form(j int32) string { return m.pairs[2*j] }

// longest returns the longest form that t starts with, or -1.
func (m *matcher) longest(t string) int32 {
	if t == "" || !m.first[t[0]] {
		return -1
	}
	if len(t) >= keyLen {
		for _, j := range m.long[t[:keyLen]] {
			if strings.HasPrefix(t, m.form(j)) {
				return j
			}
		}
	}
	for _, n := range m.shortLens {
		if n <= len(t) {
			if j, ok := m.short[t[:n]]; ok {
				return j
			}
		}
	}
	return -1
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
		if m.longest(s[i:]) >= 0 {
			return true
		}
	}
	return false
}

// replace returns s with each run of overlapping occurrences of forms
// replaced by the replacement of the run's first (and, of those starting
// there, longest) form, followed by Redacted when the run reaches past
// that form and the replacement is not Redacted already (a URL shown).
// With cut, s is the start of a longer text, and a form's start at its
// end is left out, with all that follows.
func (m *matcher) replace(s string, cut bool) string {
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
		j := m.longest(s[i:])
		if j < 0 {
			continue
		}
		e := i + len(m.form(j))
		switch {
		case end < 0:
			b.WriteString(s[written:i])
			end, with, longer = e, m.pairs[2*j+1], false
		case e > end:
			end, longer = e, true
		}
	}
	if end >= 0 {
		closeRun()
	} else {
		b.WriteString(s[written:])
	}
	return b.String()
}
