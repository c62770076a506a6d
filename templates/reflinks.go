package templates

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// The link reader's reference links (CommonMark 0.31.2, 4.7, 6.3): a
// link reference definition, "[label]: destination 'title'", at the
// start of a paragraph, and the full, collapsed and shortcut reference
// links that use it, "[text][label]", "[label][]" and "[label]". Each is
// a mark, kept or left out whole as an inline link is; a definition's
// destination moves after the ellipsis when it is left out.

// maxLabel is the most characters between a link label's brackets.
const maxLabel = 999

// refDef is a link reference definition: its span, from its "[" to the
// end of its last line, the span of the URL its destination is or
// starts with (see destURL), and the span of its destination as written (within "<"
// and ">" too).
type refDef struct{ span, dest, raw [2]int }

// refs are the link reference definitions of a text, in order, and the
// labels they define, normalized (see labelEnd), each with the index of
// its first definition, the one CommonMark links to. next is the index of
// the first definition the link reader has not reached.
type refs struct {
	defs   []refDef
	labels map[string]int
	next   int
	// chains maps the text offset of each paragraph that starts with
	// definitions (see para.text) to the offset of the line after them
	// (see para.defsNext).
	chains map[int]int
	// nested are the reference links and images the link reader read in
	// the text of another link or image, which it does not return as
	// marks of their own (see markupNested).
	nested []mark
}

// setDefs sets p.defsNext, for a paragraph p of s that starts with
// definitions; r may be nil.
func (r *refs) setDefs(p *para) {
	if r != nil && !p.heading && !p.literal {
		p.defsNext = r.chains[p.text]
	}
}

// readRefs returns the link reference definitions of s, or nil when s
// has none: only a text with "]:" can. A definition starts a paragraph,
// or follows one that does on the next line of the paragraph, in the
// block quotes and list items the paragraph is in (see para); its label
// may be defined again later, but the first definition is the one
// CommonMark links to. It reads s once, block by block, as readMarkup
// does.
func readRefs(s string) *refs {
	if !strings.Contains(s, "]:") {
		return nil
	}
	r := &refs{}
	p, i := paragraphAt(s, 0, para{})
	for i < len(s) {
		if p.literal {
			p, i = paragraphAt(s, p.end, p)
			continue
		}
		if !p.heading {
			last := -1 // the end of p's last definition
			for t := p.text; t >= 0; {
				var d refDef
				var label string
				var ok bool
				if d, label, t, ok = refDefAt(s, t, p); !ok {
					break
				}
				r.defs = append(r.defs, d)
				if r.labels == nil {
					r.labels = map[string]int{}
				}
				if _, ok := r.labels[label]; !ok {
					r.labels[label] = len(r.defs) - 1
				}
				last = d.span[1]
			}
			if last >= 0 {
				if r.chains == nil {
					r.chains = map[int]int{}
				}
				p.defsNext = nextLine(s, last)
				r.chains[p.text] = p.defsNext
			}
		}
		for j := i; ; j++ { // to the paragraph's end
			if j = lineEnd(s, j); j >= len(s) {
				i = len(s)
				break
			}
			if s[j] == '\r' && j+1 < len(s) && s[j+1] == '\n' {
				j++
			}
			if paragraphEnd(s, j, p) {
				p, i = paragraphAt(s, j+1, p)
				break
			}
		}
	}
	if len(r.defs) == 0 {
		return nil
	}
	return r
}

// refDefAt reads the link reference definition that starts at s[t], after
// spaces and tabs, in the paragraph p: a link label, ":", white space
// with one line break at most, a destination, and a title after white
// space, each line break in it one of p's; nothing but spaces and tabs
// may follow the title, or the destination when the title is left out
// (a title that does not end so is text of the paragraph, on the line
// after the definition). It returns the definition, its normalized
// label, and where the next line of p goes on, past its containers'
// markers (see lineAfter), or -1 after p's last line.
func refDefAt(s string, t int, p para) (d refDef, label string, next int, ok bool) {
	t = skipBlanks(s, t)
	end, label, ok := labelEnd(s, t, &p)
	if !ok || end >= len(s) || s[end] != ':' {
		return d, "", -1, false
	}
	start := linkSpace(s, end+1, &p)
	if start < 0 || start >= len(s) {
		return d, "", -1, false
	}
	stop := destEnd(s, start)
	if stop <= start || stop < len(s) && strings.IndexByte(" \t\r\n", s[stop]) < 0 {
		return d, "", -1, false
	}
	last := -1 // where the definition's last line ends
	if blankAfter(s, stop) {
		last = lineEnd(s, stop)
	}
	if i := linkSpace(s, stop, &p); i > stop && i < len(s) && strings.IndexByte(`"'(`, s[i]) >= 0 {
		if k := titleEnd(s, i, p); k >= 0 && blankAfter(s, k) {
			last = lineEnd(s, k)
		}
	}
	if last < 0 {
		return d, "", -1, false
	}
	d = refDef{span: [2]int{t, last}, dest: destURL(s, start, stop), raw: [2]int{start, stop}}
	if next = -1; last < len(s) {
		next = lineAfter(s, last, &p)
	}
	return d, label, next, true
}

// labelEnd reads the link label that starts at s[i], a "[": up to
// maxLabel characters, of which one at least is no white space, and no
// "[" or "]" but escaped ones, then "]", over lines of the paragraph p
// too. It returns the offset after the "]" and the label normalized as
// CommonMark matches labels (4.7): case-folded, its white space
// collapsed to one space and trimmed, its lines' containers' markers
// passed.
func labelEnd(s string, i int, p *para) (end int, label string, ok bool) {
	if i >= len(s) || s[i] != '[' {
		return 0, "", false
	}
	var b strings.Builder
	space, chars := false, 0
	for i++; i < len(s) && chars <= maxLabel; chars++ {
		switch c := s[i]; c {
		case '[':
			return 0, "", false
		case ']':
			if b.Len() == 0 {
				return 0, "", false
			}
			return i + 1, cases.Fold().String(b.String()), true
		case ' ', '\t', '\r', '\n':
			if c == '\r' || c == '\n' {
				if i = lineAfter(s, i, p); i < 0 {
					return 0, "", false
				}
			} else {
				i++
			}
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		n := 1
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
			n = 2 // an escape, written as is: CommonMark compares labels so
		} else if s[i] >= utf8.RuneSelf {
			_, n = utf8.DecodeRuneInString(s[i:])
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return 0, "", false
}

// link returns the end of the reference link whose text runs from the
// "[" at s[open] to the "]" at s[close], in the paragraph p, and the
// definition it links to, if there is one: a full reference link, the
// text then a label that is defined, "[text][label]"; a collapsed one,
// "[label][]"; or a shortcut one, "[label]", not followed by "[]" or a
// label. r is not nil.
func (r *refs) link(s string, open, close int, p para) (end int, def *refDef, ok bool) {
	defined := func(label string) (*refDef, bool) {
		k, ok := r.labels[label]
		if !ok {
			return nil, false
		}
		return &r.defs[k], true
	}
	if close+1 < len(s) && s[close+1] == '[' {
		if close+2 < len(s) && s[close+2] == ']' {
			if end, label, ok := labelEnd(s, open, &p); ok && end == close+1 {
				if d, ok := defined(label); ok {
					return close + 3, d, true
				}
			}
			return 0, nil, false
		}
		if end, label, ok := labelEnd(s, close+1, &p); ok {
			d, ok := defined(label)
			return end, d, ok
		}
	}
	if end, label, ok := labelEnd(s, open, &p); ok && end == close+1 {
		if d, ok := defined(label); ok {
			return end, d, true
		}
	}
	return 0, nil, false
}

// defAt returns the definition that starts at s[i], if one does, and
// passes those before it.
func (r *refs) defAt(i int) (refDef, bool) {
	for r.next < len(r.defs) && r.defs[r.next].span[0] < i {
		r.next++
	}
	if r.next < len(r.defs) && r.defs[r.next].span[0] == i {
		return r.defs[r.next], true
	}
	return refDef{}, false
}
