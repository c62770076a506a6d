package twitter

import (
	"strings"
	"sync"
	"unicode/utf16"
)

// Limits of twitter-text's URL extractor.
const (
	maxURLLength  = 4096 // UTF-16 units, counting the scheme, "https://" when absent
	maxTcoSlug    = 40   // characters after "t.co/"
	maxLabel      = 63   // characters of a domain label in Punycode
	defaultScheme = len("https://")
)

// urlSpan is a link X would wrap in t.co: the bytes s[start:end].
//
// A link without a scheme and with a path, whose ASCII domain ends before
// its domain does, as "a.com" in "a.com、b.日本/x", is to twitter-text the
// ASCII domain and the path: s[start:cut] + s[tail:end], "a.com/x". Its
// parseTweet then counts on after as many characters as that has, from
// start: at resume. For other links cut, tail, resume and end are equal.
type urlSpan struct{ start, cut, tail, end, resume int }

// link returns the text of the link in s as twitter-text reports it.
func (u urlSpan) link(s string) string {
	if u.cut == u.end {
		return s[u.start:u.end]
	}
	return s[u.start:u.cut] + s[u.tail:u.end]
}

// span returns the link u[start:end] of a text in units.
func span(start, end int) urlSpan {
	return urlSpan{start: start, cut: end, tail: end, end: end, resume: end}
}

// findURLs returns the links in s, in order, as twitter-text 3's extractor
// finds them (extractUrlsWithIndices with links without a scheme).
//
// The extractor is a JavaScript regular expression over UTF-16 units, and
// it is followed here step by step, on UTF-16 units too, so that its
// backtracking choices and its limits give the same links:
//
//   - a link starts at the text's start or after a character other than an
//     ASCII letter or digit, "@", "$", "#" (and their full-width forms);
//   - "http://" or "https://", optional and in any case;
//   - a domain: labels of host characters (any but ASCII punctuation,
//     white space and direction marks) joined by dots, ending with a
//     top-level domain (see isTLD) that no ASCII letter, digit, "@", "+" or
//     "-" follows, or with a Punycode one ("xn--…");
//   - an optional port, path and query, each of a limited set of characters
//     (isPathChar, isQueryChar); the path and query end at their last end
//     character, so "https://x.com/a." does not take the full stop;
//   - the whole is dropped when a label is longer than 63 characters in
//     Punycode or the link is longer than 4,096 UTF-16 units with its scheme;
//   - without a scheme, only the ASCII domains inside the domain are links,
//     none when "-", "_", "." or "/" comes right before it, and the port,
//     path and query belong to the last one only when there is a path;
//   - a t.co link ends after its slug and query; one whose slug is longer
//     than 40 characters is no link.
func findURLs(s string) []urlSpan {
	if !strings.Contains(s, ".") {
		return nil
	}
	t := getUnits(s)
	defer t.release()
	var found []urlSpan
	for from := 0; ; {
		m, ok := t.next(from)
		if !ok {
			break
		}
		from = m.end
		found = t.accept(found, m)
	}
	if t.off != nil {
		for i, u := range found {
			found[i] = urlSpan{start: t.off[u.start], cut: t.off[u.cut], tail: t.off[u.tail],
				end: t.off[u.end], resume: t.off[u.resume]}
		}
	}
	return found
}

// units is a text as UTF-16 units, with what the matcher looks up often.
type units struct {
	u   []uint16
	off []int // off[i] is the byte offset in the string of unit i; nil when the string is ASCII, unit i being byte i
	run []int // run[i] is the end of the run of host characters, "_" and "-" from i
	// under[i] is the index of the first "_" at i or after, len(u) for
	// none, so that labelOK tells a label without "_" at once, not by
	// reading all of it for each start in a long run.
	under []int

	dom  []int          // dom[i] is domainAt(i) once known, or unknown
	tlds map[[2]int]int // tldAt's answers by position and limit
	// tldASCII is isTLD's answer for top-level domains in ASCII, in
	// lower case; answers about words, not about the text, it is kept
	// when t goes back to unitsPool.
	tldASCII map[string]bool

	ints   []int // the memory of off, run, under and dom
	pooled bool  // t is from unitsPool

	steps int // the labels labelOK checked and the units it read, for tests to bound its work
}

// unitsPool keeps the units of short texts read, for findURLs to read the
// next text into the same memory: a post is measured many times as it is
// fitted, possibly by several goroutines at once, each with units of its
// own.
var unitsPool = sync.Pool{New: func() any { return new(units) }}

// maxPooledBytes bounds the texts whose units unitsPool keeps: a post,
// and the texts of a post fitted, are much shorter, and a long text's
// units would hold their memory.
const maxPooledBytes = 4096

// getUnits returns the units of s, read into the memory of earlier units
// when s is short.
func getUnits(s string) *units {
	if len(s) > maxPooledBytes {
		return newUnits(s)
	}
	t := unitsPool.Get().(*units)
	t.pooled = true
	t.load(s)
	return t
}

// release returns t to unitsPool when it came from there.
func (t *units) release() {
	if !t.pooled {
		return
	}
	clear(t.tlds)
	t.u, t.off, t.run, t.under, t.dom = t.u[:0], nil, nil, nil, nil
	t.steps = 0
	unitsPool.Put(t)
}

func newUnits(s string) *units {
	t := &units{}
	t.load(s)
	return t
}

// load reads s into t, whose memory it reuses. A text has at most as many
// UTF-16 units as bytes in UTF-8.
func (t *units) load(s string) {
	n := len(s)
	ascii := isASCIIString(s)
	arrays := 3
	if !ascii {
		arrays = 4
	}
	// The slices are built in variables and stored in t once: a store
	// in t, on the heap, costs a write barrier while the collector runs.
	u, ints := t.u[:0], t.ints[:0]
	if cap(u) < n {
		u = make([]uint16, 0, n)
	}
	if cap(ints) < arrays*(n+1) {
		ints = make([]int, 0, arrays*(n+1))
	}
	var off []int
	if ascii {
		u = u[:n]
		for i := range n {
			u[i] = uint16(s[i])
		}
	} else {
		off = ints[3*(n+1) : 3*(n+1) : 4*(n+1)]
		for i, r := range s {
			if r < 0x80 {
				u, off = append(u, uint16(r)), append(off, i)
				continue
			}
			k := len(u)
			u = utf16.AppendRune(u, r)
			for range len(u) - k {
				off = append(off, i)
			}
		}
		off = append(off, len(s))
		n = len(u)
	}
	run, under, dom := ints[:n+1:n+1], ints[n+1:2*(n+1):2*(n+1)], ints[2*(n+1):3*(n+1)]
	run[n], under[n], dom[n] = n, n, unknown
	for i := n - 1; i >= 0; i-- {
		if c := u[i]; isHostChar(c) || c == '_' || c == '-' {
			run[i] = run[i+1]
		} else {
			run[i] = i
		}
		if u[i] == '_' {
			under[i] = i
		} else {
			under[i] = under[i+1]
		}
		dom[i] = unknown
	}
	t.u, t.off, t.run, t.under, t.dom, t.ints = u, off, run, under, dom, ints
}

// match is one match of the extractor's regular expression.
type match struct {
	before int // index of the character before the link; -1 at the start
	start  int
	scheme int // length of "http://" or "https://"; 0 without
	domEnd int
	path   bool // a path follows the domain (and port)
	end    int
}

// next returns the first match that starts at from or later: the
// character before the link is part of the match.
func (t *units) next(from int) (match, bool) {
	for q := from; q < len(t.u); q++ {
		if precedesURL(t.u[q]) {
			if m, ok := t.urlAt(q + 1); ok {
				m.before = q
				return m, true
			}
		}
		if q == 0 {
			if m, ok := t.urlAt(0); ok {
				m.before = -1
				return m, true
			}
		}
	}
	return match{}, false
}

// urlAt matches a link starting at p.
func (t *units) urlAt(p int) (match, bool) {
	if n := t.schemeLen(p); n > 0 {
		if e := t.domainAt(p + n); e >= 0 {
			return t.rest(match{start: p, scheme: n, domEnd: e}), true
		}
	}
	if e := t.domainAt(p); e >= 0 {
		return t.rest(match{start: p, domEnd: e}), true
	}
	return match{}, false
}

// rest matches the port, path and query after the domain.
func (t *units) rest(m match) match {
	e := m.domEnd
	if e+1 < len(t.u) && t.u[e] == ':' && isDigit16(t.u[e+1]) {
		for e++; e < len(t.u) && isDigit16(t.u[e]); e++ {
		}
	}
	if e < len(t.u) && t.u[e] == '/' {
		e = t.pathEnd(e)
		m.path = true
	}
	if e < len(t.u) && t.u[e] == '?' {
		if q := t.queryEnd(e, len(t.u)); q > 0 {
			e = q
		}
	}
	m.end = e
	return m
}

// accept appends the links of m that twitter-text keeps.
func (t *units) accept(found []urlSpan, m match) []urlSpan {
	ds := m.start + m.scheme
	if !t.validURL(m, ds) {
		return found
	}
	if m.scheme > 0 {
		end := m.end
		if slug, tco := t.tcoEnd(m.start, m.end); slug > maxTcoSlug {
			return found
		} else if slug > 0 {
			end = tco
		}
		return append(found, span(m.start, end))
	}
	if m.before >= 0 && strings.ContainsRune("-_./", rune(t.u[m.before])) {
		return found
	}
	n := len(found)
	found = t.appendASCIIDomains(found, ds, m.domEnd)
	if len(found) > n && m.path {
		last := &found[len(found)-1]
		last.tail, last.end = m.domEnd, m.end
		last.resume = last.cut + m.end - m.domEnd
	}
	return found
}

// validURL reports whether twitter-text's length checks accept m, whose
// domain starts at ds.
func (t *units) validURL(m match, ds int) bool {
	scheme := m.scheme
	if scheme == 0 {
		scheme = defaultScheme
	}
	if scheme+m.end-m.start > maxURLLength {
		return false
	}
	d := t.u[ds:m.domEnd]
	for rest := d; len(rest) > 0; {
		i := indexUnit(rest, '.')
		if i < 0 {
			i = len(rest)
		}
		if n := punycodeLen(rest[:i]); n < 1 || n > maxLabel {
			return false
		}
		rest = rest[min(i+1, len(rest)):]
	}
	return !hasPrefix16(d, "xn--") || t.hasASCIIDomain(ds, m.domEnd)
}

// appendASCIIDomains appends the ASCII domains in u[ds:de] as links, as
// twitter-text does for links without a scheme.
func (t *units) appendASCIIDomains(found []urlSpan, ds, de int) []urlSpan {
	a := t.asciiDomains(ds, de)
	prev := ds
	for p := ds; p < de; {
		e := a.at(p)
		if e < 0 {
			p++
			continue
		}
		// twitter-text finds the domain again with indexOf from the end
		// of the previous one.
		s := prev + indexUnits(t.u[prev:de], t.u[p:e])
		found = append(found, span(s, s+e-p))
		prev, p = s+e-p, e
	}
	return found
}

func (t *units) hasASCIIDomain(ds, de int) bool {
	a := t.asciiDomains(ds, de)
	for p := ds; p < de; p++ {
		if a.at(p) >= 0 {
			return true
		}
	}
	return false
}

// schemeLen returns the length of "http://" or "https://" (in any case)
// at p, or 0.
func (t *units) schemeLen(p int) int {
	if p >= len(t.u) || t.u[p]|0x20 != 'h' {
		return 0
	}
	for _, s := range []string{"https://", "http://"} {
		if p+len(s) <= len(t.u) && equalFoldASCII(t.u[p:p+len(s)], s) {
			return len(s)
		}
	}
	return 0
}

// tcoEnd returns, for a t.co link in u[s:e], the length of its slug and
// where the link ends: after the slug and the query. slug is 0 for other
// links.
func (t *units) tcoEnd(s, e int) (slug, end int) {
	p := s + t.schemeLen(s)
	if p+len("t.co/") > e || !equalFoldASCII(t.u[p:p+len("t.co/")], "t.co/") {
		return 0, 0
	}
	p += len("t.co/")
	end = p
	for end < e && isAlnum16(t.u[end]) {
		end++
	}
	if slug = end - p; slug == 0 {
		return 0, 0
	}
	if end < e && t.u[end] == '?' {
		if q := t.queryEnd(end, e); q > 0 {
			end = q
		}
	}
	return slug, end
}
