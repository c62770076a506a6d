package templates

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// buffers holds the buffers templates run into, so that a render allocates
// little more than its result. Buffers that grew past maxPooled (a huge
// body) are left to the garbage collector.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 64 << 10

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		buffers.Put(b)
	}
}

// normalize tidies what a template produced: one-line templates get every
// run of white space collapsed to one space; the others lose trailing
// spaces, leading and trailing blank lines, and runs of blank lines.
func normalize(p []byte, single bool) string {
	var b strings.Builder
	b.Grow(len(p))
	if single {
		runs(p, func(from, to int) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.Write(p[from:to])
		})
		return b.String()
	}
	blank := false
	for len(p) > 0 {
		l := p
		p = nil
		if i := bytes.IndexAny(l, "\r\n"); i >= 0 {
			next := i + 1
			if l[i] == '\r' && next < len(l) && l[next] == '\n' {
				next++ // CR LF is one line break
			}
			l, p = l[:i], l[next:]
		}
		l = bytes.TrimRightFunc(l, unicode.IsSpace)
		if len(l) == 0 {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.Write(l)
	}
	return b.String()
}

// oneLine collapses every run of white space, line breaks included, to one
// space and trims both ends. It returns s itself when there is nothing to
// collapse, which is the common case.
func oneLine(s string) string {
	if isOneLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	runs(s, func(from, to int) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[from:to])
	})
	return b.String()
}

// isOneLine reports whether oneLine(s) is s: no white space but single
// spaces between words.
func isOneLine(s string) bool {
	whole := 0 // runs that are all of s
	runs(s, func(from, to int) {
		if from == 0 && to == len(s) {
			whole++
		}
	})
	return s == "" || whole == 1
}

// asciiSpace holds the ASCII characters unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// runs calls f with the byte spans of the runs of text in s that are
// separated by anything but a single space: joined with one space each,
// they make s with its white space collapsed, as strings.Fields and
// strings.Join would, at the cost of few calls.
func runs[T string | []byte](s T, f func(from, to int)) {
	i := skipSpace(s, 0)
	from := i
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf && !asciiSpace[c] {
			i++
			continue
		}
		r, n := decodeRune(s, i)
		switch {
		case !unicode.IsSpace(r):
			i += n
		case r == ' ' && i+1 < len(s) && !isSpace(s, i+1):
			i++ // a single space between words stays in the run
		default:
			f(from, i)
			i = skipSpace(s, i)
			from = i
		}
	}
	if from < len(s) {
		f(from, len(s))
	}
}

// skipSpace returns the offset of the first character at or after i in s
// that is not white space, or len(s).
func skipSpace[T string | []byte](s T, i int) int {
	for i < len(s) && isSpace(s, i) {
		_, n := decodeRune(s, i)
		i += n
	}
	return i
}

func isSpace[T string | []byte](s T, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiSpace[c]
	}
	r, _ := decodeRune(s, i)
	return unicode.IsSpace(r)
}

// decodeRune decodes the rune that starts at s[i], like
// utf8.DecodeRuneInString, for both strings and byte slices.
func decodeRune[T string | []byte](s T, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
}
