package redact

import "strings"

// minWrappedLine is the shortest line of base64 alone whose line break
// unwrap takes for one inside a word: MIME wraps base64 at 76 characters,
// PEM at 64.
const minWrappedLine = 60

// unwrap returns s without the line breaks e-mail writes inside a word:
// quoted-printable's soft line breaks ("=" ending a line, as bodies are
// broken at 76 characters) and the breaks of wrapped base64 (a line of
// minWrappedLine base64 characters or more, followed by one that starts
// with one), "\r\n" or "\n"; and, for each byte of the result, its index
// in s. ok is false, and nothing else returned, when s has none.
func unwrap(s string) (joined string, at []int, ok bool) {
	var b strings.Builder
	from := 0 // of s, not written yet
	lineStart := 0
	for p := strings.IndexByte(s, '\n'); p >= 0; p = next(s, p) {
		brk := p
		if brk > lineStart && s[brk-1] == '\r' {
			brk--
		}
		line := s[lineStart:brk]
		cut := -1
		switch {
		case strings.HasSuffix(line, "="):
			cut = brk - 1
		case len(line) >= minWrappedLine && isBase64(line) && p+1 < len(s) && isBase64(s[p+1:p+2]):
			cut = brk
		}
		if cut >= 0 {
			if at == nil {
				at = make([]int, 0, len(s))
			}
			b.WriteString(s[from:cut])
			for i := from; i < cut; i++ {
				at = append(at, i)
			}
			from = p + 1
		}
		lineStart = p + 1
	}
	if at == nil {
		return "", nil, false
	}
	b.WriteString(s[from:])
	for i := from; i < len(s); i++ {
		at = append(at, i)
	}
	return b.String(), at, true
}

// next returns the index of the first "\n" of s after p, or -1.
func next(s string, p int) int {
	if i := strings.IndexByte(s[p+1:], '\n'); i >= 0 {
		return p + 1 + i
	}
	return -1
}

func isBase64(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("+/=-_", c) >= 0) {
			return false
		}
	}
	return true
}

// acrossBreaks returns s with each occurrence of a form that unwrap's
// line breaks split replaced by Redacted, and whether it found one; the
// occurrences written whole are left to replace.
func (m *matcher) acrossBreaks(s string) (string, bool) {
	j, at, ok := unwrap(s)
	if !ok {
		return s, false
	}
	var spans [][2]int // of s, in order, merged
	for i := 0; i < len(j); i++ {
		if r := m.byte1[j[i]]; r[0] == r[1] {
			continue
		}
		k := m.longest(j[i:])
		if k < 0 {
			continue
		}
		e := i + len(m.form(k)) - 1 // last byte, in j
		if at[e]-at[i] == e-i {
			continue // written whole
		}
		from, to := at[i], at[e]+1
		if n := len(spans); n > 0 && from <= spans[n-1][1] {
			spans[n-1][1] = max(spans[n-1][1], to)
		} else {
			spans = append(spans, [2]int{from, to})
		}
	}
	if spans == nil {
		return s, false
	}
	var b strings.Builder
	written := 0
	for _, sp := range spans {
		b.WriteString(s[written:sp[0]])
		b.WriteString(Redacted)
		written = sp[1]
	}
	b.WriteString(s[written:])
	return b.String(), true
}
