package bluesky

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tagFeature is the facet feature of a hashtag.
const tagFeature = "app.bsky.richtext.facet#tag"

// maxTag is the longest tag, in UTF-16 code units, as Bluesky's app
// measures it (the lexicon allows 64 graphemes and 640 bytes, more).
const maxTag = 64

// postFacets returns the facets of a post of text: a #link facet for
// every link (linkFacets) and a #tag facet for every hashtag (tagFacets),
// in the order of the text. Never a mention: "@handle" in an update
// notifies no one.
func postFacets(text string, whole ...string) []facet {
	links := linkFacets(text, whole...)
	out := append(links, tagFacets(text, links)...)
	slices.SortStableFunc(out, func(a, b facet) int { return a.Index.ByteStart - b.Index.ByteStart })
	return out
}

// tagFacets returns a #tag facet for every hashtag of text outside the
// links: as Bluesky's app finds them (RichText.detectFacets), a "#" or
// "＃" at the start or after white space, not followed by U+FE0F (the
// keycap emoji "#️⃣"), then a run of characters up to white space or an
// invisible separator, not only digits and punctuation ("#42" is none),
// its trailing punctuation left out, of at most maxTag UTF-16 units. The
// tag is the run without its "#".
func tagFacets(text string, links []facet) []facet {
	var out []facet
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		if r != '#' && r != '＃' || i > 0 && !jsSpace(prev) {
			i += size
			continue
		}
		start, body := i, i+size
		end := body
		for end < len(text) {
			c, n := utf8.DecodeRuneInString(text[end:])
			if tagBreak(c) {
				break
			}
			end += n
		}
		i = end
		run := text[body:end]
		if strings.HasPrefix(run, "\uFE0F") || !strings.ContainsFunc(run, tagRune) {
			continue
		}
		tag := strings.TrimRightFunc(run, unicode.IsPunct)
		stop := body + len(tag)
		if tag == "" || utf16Len(tag) > maxTag || overlaps(links, start, stop) {
			continue
		}
		out = append(out, facet{Index: byteSlice{ByteStart: start, ByteEnd: stop},
			Features: []feature{{Type: tagFeature, Tag: tag}}})
	}
	return out
}

// jsSpace reports white space as JavaScript's \s has it.
func jsSpace(r rune) bool {
	return r == '\uFEFF' || r != '\u0085' && unicode.IsSpace(r)
}

// tagBreak reports a character that ends a tag: white space, the soft
// hyphen, the word joiner, the hair space, and the zero-width space,
// non-joiner and joiner, and the combining enclosing keycap.
func tagBreak(r rune) bool {
	return jsSpace(r) || strings.ContainsRune("\u00AD\u2060\u200A\u200B\u200C\u200D\u20E2", r)
}

// tagRune reports a character that makes a run a tag: neither an ASCII
// digit nor punctuation (nor a character that ends a tag).
func tagRune(r rune) bool {
	return !('0' <= r && r <= '9') && !unicode.IsPunct(r) && !tagBreak(r)
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16RuneLen(r)
	}
	return n
}

func utf16RuneLen(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// overlaps reports whether the bytes [start, end) share any with a facet
// of fs.
func overlaps(fs []facet, start, end int) bool {
	for _, f := range fs {
		if start < f.Index.ByteEnd && f.Index.ByteStart < end {
			return true
		}
	}
	return false
}
