package templates

import (
	"strings"
	"unicode/utf8"
)

// The explicit directional formatting characters of the Unicode
// Bidirectional Algorithm (UAX #9): embeddings and overrides, closed by
// PDF, and isolates, closed by PDI.
const (
	lre, rle, pdf, lro, rlo = '\u202A', '\u202B', '\u202C', '\u202D', '\u202E'
	lri, rli, fsi, pdi      = '\u2066', '\u2067', '\u2068', '\u2069'
)

// bidiOpeners holds every character that opens an embedding, an override
// or an isolate, for a quick test of whether a text needs balancing.
const bidiOpeners = "\u202A\u202B\u202D\u202E\u2066\u2067\u2068"

// hasBidiOpener reports whether s holds a character of bidiOpeners. Each
// is written in UTF-8 as the byte 0xE2 and two more, which a byte search
// finds many times faster than strings.ContainsAny, which decodes s: a
// long body is searched on every rendering.
func hasBidiOpener(s string) bool {
	for {
		i := strings.IndexByte(s, 0xe2)
		if i < 0 {
			return false
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); strings.ContainsRune(bidiOpeners, r) {
			return true
		}
		s = s[i+1:]
	}
}

// bidiStack follows the embeddings, overrides and isolates a text opens and
// closes, as the Bidirectional Algorithm pairs them (rules X1–X8): a PDF
// closes the last one only if it is not an isolate, a PDI closes the last
// isolate and what opened inside it, and a paragraph separator (a line
// break) closes everything.
type bidiStack []rune // each entry is pdf or pdi, the character that closes it

func (st *bidiStack) add(r rune) {
	switch r {
	case lre, rle, lro, rlo:
		*st = append(*st, pdf)
	case lri, rli, fsi:
		*st = append(*st, pdi)
	case pdf:
		if n := len(*st); n > 0 && (*st)[n-1] == pdf {
			*st = (*st)[:n-1]
		}
	case pdi:
		for n := len(*st); n > 0; n-- {
			if (*st)[n-1] == pdi {
				*st = (*st)[:n-1]
				break
			}
		}
	default:
		if paragraphSeparator(r) {
			*st = (*st)[:0]
		}
	}
}

// close writes the characters that close what is open, innermost first.
func (st bidiStack) close(b *strings.Builder) {
	for i := len(st) - 1; i >= 0; i-- {
		b.WriteRune(st[i])
	}
}

// paragraphSeparator reports the characters of bidirectional class B, which
// end every embedding, override and isolate.
func paragraphSeparator(r rune) bool {
	return r == '\n' || r == '\r' || r >= 0x1c && r <= 0x1e || r == 0x85 || r == '\u2029'
}

// bidiClosers returns what closes the embeddings, overrides and isolates s
// leaves open at its end: "" for most texts.
func bidiClosers(s string) string {
	if !hasBidiOpener(s) {
		return ""
	}
	var st bidiStack
	for _, r := range s {
		st.add(r)
	}
	var b strings.Builder
	st.close(&b)
	return b.String()
}

// BalanceBidi returns s with every right-to-left (or left-to-right)
// embedding, override and isolate it leaves open closed before each line
// break and at its end, as the default templates close them in every text
// field: for channels that render an update's text themselves (the status
// page), so that a field cannot reverse the words that follow it. It
// returns s itself when nothing is left open.
func BalanceBidi(s string) string { return balanceBidi(s) }

// balanceBidi returns s with every embedding, override and isolate it
// leaves open closed before the line break that ends it, and at its end.
// A text put in the middle of a message so cannot turn the text after it
// (the URL, the next update) right to left, nor reverse it, also where a
// one-line template joins its lines. It returns s itself when nothing is
// left open, which is the common case.
func balanceBidi(s string) string {
	if !hasBidiOpener(s) {
		return s
	}
	var st bidiStack
	var b strings.Builder
	last := 0 // s[:last] is written
	for i, r := range s {
		if paragraphSeparator(r) && len(st) > 0 {
			b.WriteString(s[last:i])
			st.close(&b)
			last = i
		}
		st.add(r)
	}
	if b.Len() == 0 && len(st) == 0 {
		return s
	}
	b.WriteString(s[last:])
	st.close(&b)
	return b.String()
}
