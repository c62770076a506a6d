package twitter

import (
	"strings"
	"unicode/utf16"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// maxTLDUnits bounds the search for a top-level domain; the longest in use
// have 18 characters.
const maxTLDUnits = 24

// domainAt returns the end of the domain starting at p, or -1: labels
// joined by dots, the last one before the top-level domain without "_",
// and a top-level domain. Like the regular expression it follows, it takes
// the most labels it can before the top-level domain; the answer for each
// label start is kept, so that a text of many dots is read once.
func (t *units) domainAt(p int) int {
	var chain []int // label starts, each label one that may be a subdomain
	for q := p; t.dom[q] == unknown; {
		e := t.run[q]
		if e == q || e >= len(t.u) || t.u[e] != '.' || !t.labelOK(q, e, true) {
			t.dom[q] = -1
			break
		}
		chain = append(chain, q)
		q = e + 1
	}
	for i := len(chain) - 1; i >= 0; i-- {
		q, dot := chain[i], t.run[chain[i]]
		switch {
		case t.dom[dot+1] >= 0: // a later label ends the domain
			t.dom[q] = t.dom[dot+1]
		case t.labelOK(q, dot, false):
			t.dom[q] = t.tldAt(dot+1, len(t.u))
		default:
			t.dom[q] = -1
		}
	}
	return t.dom[p]
}

// unknown marks a position whose answer is not known yet.
const unknown = -2

// labelOK reports whether u[s:e] is a label: it starts and ends with a
// host character; "_" is allowed inside a subdomain only.
func (t *units) labelOK(s, e int, sub bool) bool {
	t.steps++
	if !isHostChar(t.u[s]) || !isHostChar(t.u[e-1]) {
		return false
	}
	return sub || t.under[s] >= e
}

// tldAt returns the end of the top-level domain at i, or -1: the longest
// known one (see isTLD) that no ASCII letter or digit, "@", "+" or "-"
// follows, or else "xn--…", taken as Punycode whatever follows. lim is
// where the text ends for the match.
func (t *units) tldAt(i, lim int) int {
	key := [2]int{i, lim}
	if e, ok := t.tlds[key]; ok {
		return e
	}
	if t.tlds == nil {
		t.tlds = map[[2]int]int{}
	}
	e := t.findTLD(i, lim)
	t.tlds[key] = e
	return e
}

func (t *units) findTLD(i, lim int) int {
	j := i
	for j < lim && j-i < maxTLDUnits && isTLDChar(t.u[j]) {
		j++
	}
	for e := j; e > i; e-- {
		if !t.joinsTLD(e, lim) && t.isTLD(i, e) {
			return e
		}
	}
	if i+len("xn--") < lim && equalFoldASCII(t.u[i:i+len("xn--")], "xn--") && isPunyChar(t.u[i+len("xn--")]) {
		j = i + len("xn--")
		for j < lim && isPunyChar(t.u[j]) {
			j++
		}
		return j
	}
	return -1
}

// isTLDChar reports whether c may be in a top-level domain: an ASCII
// letter or digit, or a host character outside ASCII.
func isTLDChar(c uint16) bool {
	return isAlnum16(c) || c >= 0x80 && !utf16.IsSurrogate(rune(c)) && isHostChar(c)
}

// joinsTLD reports whether the character at j would continue a top-level
// domain ending there: an ASCII letter or digit, "@", "+" or "-".
func (t *units) joinsTLD(j, lim int) bool {
	if j >= lim {
		return false
	}
	c := t.u[j]
	return isAlnum16(c) || c == '@' || c == '+' || c == '-'
}

// isTLD reports whether u[i:e] is a top-level domain (see the function
// isTLD). One in ASCII, as most are, is put in lower case into a buffer
// rather than decoded into a string, and its answer is kept in t.tldASCII:
// a text names the same few many times.
func (t *units) isTLD(i, e int) bool {
	var b [len("x.") + maxTLDUnits]byte
	n := copy(b[:], "x.")
	for _, c := range t.u[i:e] {
		if c >= 0x80 || n == len(b) {
			return isTLD(strings.ToLower(string(utf16.Decode(t.u[i:e]))))
		}
		b[n] = lowerASCII(byte(c))
		n++
	}
	if icann, ok := t.tldASCII[string(b[2:n])]; ok {
		return icann
	}
	_, icann := publicsuffix.PublicSuffix(string(b[:n]))
	if t.tldASCII == nil || len(t.tldASCII) >= maxKeptTLDs {
		t.tldASCII = map[string]bool{}
	}
	t.tldASCII[string(b[2:n])] = icann
	return icann
}

// maxKeptTLDs bounds the answers of units.isTLD that units keep, from one
// text to the next when pooled (see unitsPool).
const maxKeptTLDs = 64

// isTLD reports whether tld, in lower case, is a top-level domain: one the
// ICANN section of the Public Suffix List has, or has rules under (as
// "*.ck"). twitter-text has its own list instead (see the package
// documentation for where they differ).
func isTLD(tld string) bool {
	if !isASCIIString(tld) {
		a, err := idna.Punycode.ToASCII(tld)
		if err != nil {
			return false
		}
		tld = a
	}
	_, icann := publicsuffix.PublicSuffix("x." + tld)
	return icann
}

// asciiDomains finds the ASCII domains in the domain u[ds:de]: labels of
// ASCII letters, digits, "-" and Latin letters with accents, each followed
// by a dot, and a top-level domain, as many labels as there are.
type asciiDomains struct {
	t      *units
	ds, de int
	end    []int // end[p-ds] is the end of the domain starting at p, -1, or unknown
}

func (t *units) asciiDomains(ds, de int) *asciiDomains {
	a := &asciiDomains{t: t, ds: ds, de: de, end: make([]int, de-ds+1)}
	for i := range a.end {
		a.end[i] = unknown
	}
	a.end[de-ds] = -1
	return a
}

// at returns the end of the ASCII domain starting at p, or -1. The answer
// for each label start is kept, as in domainAt.
func (a *asciiDomains) at(p int) int {
	var chain []int
	for q := p; a.end[q-a.ds] == unknown; {
		j := q
		for j < a.de && isASCIILabelChar(a.t.u[j]) {
			j++
		}
		if j == q || j >= a.de || a.t.u[j] != '.' {
			a.end[q-a.ds] = -1
			break
		}
		chain = append(chain, q)
		q = j + 1
	}
	for i := len(chain) - 1; i >= 0; i-- {
		q := chain[i]
		next := q
		for a.t.u[next] != '.' {
			next++
		}
		next++
		if e := a.end[next-a.ds]; e >= 0 {
			a.end[q-a.ds] = e
		} else {
			a.end[q-a.ds] = a.t.tldAt(next, a.de)
		}
	}
	return a.end[p-a.ds]
}

// punycodeLen returns the length of a domain label in Punycode, as
// twitter-text computes it (punycode.js 1.4 toASCII): the label is split
// at full stops of any script, and each part with a character outside
// printable ASCII gets the "xn--" prefix.
func punycodeLen(label []uint16) int {
	if len(label) > 2*maxLabel {
		return len(label) // at least one character in Punycode per code point
	}
	n := 0
	for {
		i := 0
		for i < len(label) && !isFullStop(label[i]) {
			i++
		}
		n += punycodePartLen(label[:i])
		if i == len(label) {
			return n
		}
		n++ // the dot
		label = label[i+1:]
	}
}

func punycodePartLen(p []uint16) int {
	printable, ascii := true, true
	for _, c := range p {
		printable = printable && c >= 0x20 && c <= 0x7E
		ascii = ascii && c < 0x80
	}
	switch {
	case printable:
		return len(p)
	case ascii:
		return len("xn--") + len(p) + len("-")
	}
	a, _ := idna.Punycode.ToASCII(string(utf16.Decode(p)))
	return len(a)
}

func isFullStop(c uint16) bool {
	return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61
}
