package redact

import (
	"cmp"
	"encoding/base64"
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

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

// acrossBreaks returns s with each occurrence of a form that decoded
// finds split by a line break or written with character references
// replaced by Redacted, and whether it found one; where it finds one, the
// occurrences written whole that replace finds are replaced with them,
// otherwise they are left to replace. So are inner, spans of s (the forms
// found inside its base64, see base64Spans), which could not be found
// after: a REDACTED in a run of base64 misaligns the bytes after it.
func (m *matcher) acrossBreaks(s string, inner [][2]int) (string, bool) {
	var spans [][2]int // of s
	for _, st := range decoded(s, m.breaks) {
		j, from, to := st.j, st.from, st.to
		for i := 0; i < len(j); i++ {
			if r := m.byte1[j[i]]; r[0] == r[1] || !m.mayStart(j, i) {
				continue
			}
			k := m.longest(j, i)
			if k < 0 {
				continue
			}
			n := len(m.form(k))
			e := i + n - 1 // last byte, in j
			if to[e]-from[i] == n && (m.free(k) || apart(s, from[i], to[e])) {
				continue // written whole, and found so
			}
			spans = append(spans, [2]int{from[i], to[e]})
		}
	}
	if spans == nil {
		return s, false
	}
	// The forms written whole and found so (by replaceWith's rule, in s as
	// it is), replaced with these in one pass: replaced after them, a
	// form shorter than minFreeForm or a word of WithWords touching one
	// would run on with its REDACTED and be left ("letmein&#33;kiwi", the
	// password "letmein!" and the word "kiwi": "REDACTEDkiwi"), and a
	// form overlapping one be left in part. A form shown otherwise (a
	// URL's) is left to replace.
	for i := 0; i < len(s); i++ {
		if r := m.byte1[s[i]]; r[0] == r[1] || !m.mayStart(s, i) {
			continue
		}
		if k := m.longest(s, i); k >= 0 && m.with(k) == Redacted {
			spans = append(spans, [2]int{i, i + len(m.form(k))})
		}
	}
	spans = append(spans, inner...)
	return redactSpans(s, spans), true
}

// withinBase64 returns s with each occurrence of a form that inBase64
// finds inside base64, of the text as unwrap joins it when it breaks
// lines, replaced by Redacted, and whether it found one.
func (m *matcher) withinBase64(s string) (string, bool) {
	spans := m.base64Spans(s)
	if spans == nil {
		return s, false
	}
	return redactSpans(s, spans), true
}

// base64Spans returns the spans of s, start and end, sorted by start, of
// the occurrences of forms that inBase64 finds inside base64, of the
// text as unwrap joins it when it breaks lines. They are looked for
// before the forms written as is (see replaceWith): a form found first in
// the run's characters (a line of a key at an offset in base64, see
// base64Forms) would leave a REDACTED there, and the run, so decoded, the
// bytes after it misaligned.
func (m *matcher) base64Spans(s string) [][2]int {
	j, at, ok := unwrap(s)
	if !ok {
		j = s
	}
	spans := m.inBase64(j)
	if spans == nil {
		return nil
	}
	if at != nil {
		for k, sp := range spans {
			spans[k] = [2]int{at[sp[0]], at[sp[1]-1] + 1}
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	return spans
}

// cutSpans returns spans (sorted by start) without those that start at k
// or after it, and those that reach past k ending at k: the spans of a text
// cut at k.
func cutSpans(spans [][2]int, k int) [][2]int {
	n := 0
	for _, sp := range spans {
		if sp[0] >= k {
			break
		}
		spans[n] = [2]int{sp[0], min(sp[1], k)}
		n++
	}
	return spans[:n]
}

// redactSpans returns s with each of spans (start, end), and those that
// overlap it, replaced by one Redacted.
func redactSpans(s string, spans [][2]int) string {
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var b strings.Builder
	b.Grow(len(s))
	written := 0
	for k := 0; k < len(spans); {
		start, end := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] <= end; k++ {
			end = max(end, spans[k][1])
		}
		b.WriteString(s[written:start])
		b.WriteString(Redacted)
		written = end
	}
	b.WriteString(s[written:])
	return b.String()
}

// minBase64Run is the length of the shortest run of base64 characters
// inBase64 decodes: six bytes, as long as the shortest form found inside a
// word.
const minBase64Run = 8

// inBase64 returns the spans of s, start and end, of the forms of
// minFreeForm bytes or more found in the bytes that a run of base64
// characters decodes to (a word of its own, such as a request a server
// echoes in base64: a form body's %-escaped secret, a JSON body's escaped
// one), with the run's padding when a span reaches its end. A run of
// characters of both alphabets is none. A run that starts inside the
// encoded text decodes misaligned: only base64Forms' runs find a secret
// there, as is.
func (m *matcher) inBase64(s string) [][2]int {
	var spans [][2]int
	var buf, src []byte
	for i := 0; i < len(s); {
		if !isBase64Char(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && isBase64Char(s[i]) {
			i++
		}
		end := i
		for i < len(s) && s[i] == '=' {
			i++
		}
		if end-start < minBase64Run {
			continue
		}
		run, enc := runEncoding(s[start:end])
		if enc == nil {
			continue
		}
		buf = slices.Grow(buf[:0], enc.DecodedLen(len(run)))[:enc.DecodedLen(len(run))]
		src = append(src[:0], run...)
		n, _ := enc.Decode(buf, src)
		for k, f := range m.freeForms(string(buf[:n])) {
			// Byte b of the run's bytes has bits 8b up to 8b+8 of its
			// characters, six bits each.
			from, to := start+8*k/6, min(end, start+(8*(k+len(m.form(f)))+5)/6)
			if to == end {
				to = i
			}
			spans = append(spans, [2]int{from, to})
		}
	}
	return spans
}

// freeForms yields each place k in d, bytes decoded from a text (base64,
// hex), where a form of at least minFreeForm bytes starts, and the
// longest form f there: shorter forms are not looked for where nothing
// marks the bytes as a secret's.
func (m *matcher) freeForms(d string) iter.Seq2[int, int32] {
	return func(yield func(int, int32) bool) {
		for k := 0; k < len(d); k++ {
			if r := m.byte1[d[k]]; r[0] == r[1] || !m.mayStart(d, k) {
				continue
			}
			f := m.longest(d, k)
			if f < 0 || !m.free(f) {
				continue
			}
			if !yield(k, f) {
				return
			}
		}
	}
}

// base64Head returns where s, the start of a longer text, ends in a run
// of base64 characters (a word of its own, as inBase64 decodes, also
// wrapped) whose bytes end in the start of a form: the run's character
// that holds the first byte of it; or -1. Where s is the start of whole
// (a cut left s of it, see Truncated), a start is one only where the
// form goes on in whole's run (see base64GoesOn): the end of innocent
// base64 before a key's line, read as going on across a soft line break
// or a wrapped line's break, may end in bytes that start a form. An "="
// that s ends in (or a line of it, before the cut's line break), ending a
// line as long as a wrapped one, is read as a soft line break, unless
// whole goes on after it on the same line.
func (m *matcher) base64Head(s, whole string) int {
	if t := strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r"); len(t) < len(s) {
		// A line break the cut left (or its "\r") after a line of wrapped
		// base64, or after a soft line break.
		line := t[strings.LastIndexByte(t, '\n')+1:]
		if len(line) >= minWrappedLine && isBase64(line) || strings.HasSuffix(line, "=") && softLine(line[:len(line)-1]) {
			s = t
		}
	}
	if t, ok := strings.CutSuffix(s, "="); ok && t != "" && isBase64Char(t[len(t)-1]) {
		// A soft line break the cut left, alone or with its line break,
		// which unwrap reads as one only where more follows: "=" ending
		// a line that may be a wrapped one (see softLine), the text's end
		// or a line break after it (in whole, where s is its start); not
		// the "=" of a field ("PASSWORD=") that goes on or ends a text.
		// Padding so read leaves the run's bytes as they were.
		rest := ""
		if len(s) < len(whole) && strings.HasPrefix(whole, s) {
			rest = whole[len(s):]
		}
		if softLine(t[strings.LastIndexByte(t, '\n')+1:]) && (rest == "" || rest[0] == '\r' || rest[0] == '\n') {
			s = t
		}
	}
	j, at, ok := unwrap(s)
	if !ok {
		j = s
	}
	start := len(j)
	for start > 0 && isBase64Char(j[start-1]) {
		start--
	}
	run, enc := runEncoding(j[start:])
	if enc == nil {
		return -1
	}
	d, _ := enc.DecodeString(run)
	pos := func(k int) int { // of the character that holds d[k], in s
		p := start + 8*k/6
		if at != nil {
			p = at[p]
		}
		return p
	}
	// w is whole's run's bytes from byte g on, once read: the run's end
	// in whole, past s, from the start of the group of four characters
	// that holds the first start, not the whole run (a text of base64
	// cut in a form's start would be read again at each of Truncated's
	// steps).
	var w []byte
	read, g := false, 0
	for k := max(0, len(d)-m.maxLen+1); k < len(d); k++ {
		if !m.head(string(d[k:])) {
			continue
		}
		if len(s) == len(whole) || !strings.HasPrefix(whole, s) {
			return pos(k)
		}
		if !read {
			read, g = true, 3*(k/3)
			w = base64Tail(whole, pos(g), len(s), j[start:])
		}
		if m.base64GoesOn(w, k-g, len(d)-g) {
			return pos(k)
		}
	}
	return -1
}

// base64Tail returns the bytes of the run of base64 characters of s
// (unwrapped, see unwrap) from s[p], the first character of a group of
// four of the run, to the run's end or a little past end (where a cut
// left s, whose run's bytes were read from run, the run's characters up
// to the cut): what tells whether a form the cut left the start of goes
// on. Only the lines from p's on are read, which unwrap joins as it does
// in the whole text. nil where p is no character of the unwrapped text,
// or where the run's characters, run's with them, are of both alphabets.
func base64Tail(s string, p, end int, run string) []byte {
	ls := strings.LastIndexByte(s[:p], '\n') + 1
	s, p = s[ls:min(len(s), end+16)], p-ls
	j, at, ok := unwrap(s)
	if ok {
		i := sort.SearchInts(at, p)
		if i == len(at) || at[i] != p {
			return nil
		}
		p = i
	} else {
		j = s
	}
	e := p
	for e < len(j) && isBase64Char(j[e]) {
		e++
	}
	tail, enc := runEncoding(j[p:e])
	if enc == nil || (strings.ContainsAny(tail, "+/") || strings.ContainsAny(run, "+/")) && (strings.ContainsAny(tail, "-_") || strings.ContainsAny(run, "-_")) {
		return nil
	}
	d, _ := enc.DecodeString(tail)
	return d
}

// minSoftRun is the fewest base64 characters a line shorter than
// minWrappedLine ends in, before an "=" a cut left, for the "=" to be
// read as a soft line break (see softLine): a field's name before its
// "=" ("PASSWORD=", "REMEMBER=") is shorter.
const minSoftRun = 16

// softLine reports whether line, which an "=" followed where a text was
// cut, may be a line of quoted-printable that the "=" wraps: as long as
// a wrapped one, or ending in a run of minSoftRun base64 characters or
// more. Quoted-printable's lines are of any length up to 76 characters
// (RFC 2045, section 6.7), and base64 in them may be wrapped shorter.
func softLine(line string) bool {
	if len(line) >= minWrappedLine {
		return true
	}
	n := 0
	for n < len(line) && isBase64Char(line[len(line)-1-n]) {
		n++
	}
	return n >= minSoftRun
}

// base64GoesOn reports whether a form whose start d[k:n] is (d[:n], the
// bytes a cut left of a run of base64, d the run's bytes in the text it
// was cut from) may go on in d: d has no byte past n to tell (the text's
// end may be in the form's next character), or d[k:n+1] is a form or
// the start of one.
func (m *matcher) base64GoesOn(d []byte, k, n int) bool {
	if len(d) <= n {
		return true
	}
	t := string(d[k : n+1])
	_, form := slices.BinarySearchFunc(m.sorted, t, func(f int32, t string) int { return strings.Compare(m.form(f), t) })
	return form || m.head(t)
}

// runEncoding returns run, a run of base64 characters, without a last
// character no byte ends in, and the alphabet it is written in, without
// padding; nil for a run of characters of both alphabets, which is none.
func runEncoding(run string) (string, *base64.Encoding) {
	std := strings.ContainsAny(run, "+/")
	urlSafe := strings.ContainsAny(run, "-_")
	if std && urlSafe {
		return "", nil
	}
	if len(run)%4 == 1 {
		run = run[:len(run)-1]
	}
	if urlSafe {
		return run, base64.RawURLEncoding
	}
	return run, base64.RawStdEncoding
}

// isBase64Char reports whether c is a character of either base64
// alphabet, its padding aside.
func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("+/-_", c) >= 0
}

// stage is s as one of decoded's steps leaves it: j, and, for each byte of
// j, the bytes of s it comes from, from[i] up to to[i].
type stage struct {
	j        string
	from, to []int
}

// decoded returns s unwrapped (see unwrap), with its character
// references decoded (see unref), then its JSON escapes (see
// unescapeJSON), unwrapped again where those wrote its line breaks (a
// message quoted in a JSON string or an XML text: "=\r\n",
// "=&#xD;&#xA;"), then its %-escapes, up to three times (see unpercent),
// then its character references and JSON escapes again, which a URL
// carrying an HTML or JSON text %-escaped them in: each step that changed
// the text, in order. A secret is looked for in each, not in the last
// alone: one holding what a later step reads as an escape ("\n", "%41") is
// changed by that step. With breaks (a Redactor that holds a form with a
// line break), each "\r\n" is read as "\n" too (see unbreak). It returns
// none when s has none of these.
func decoded(s string, breaks bool) []stage {
	var stages []stage
	j := s
	var from, to []int
	steps := decodeSteps
	if breaks {
		steps = decodeStepsBreaks
	}
	for _, decode := range steps {
		d, f, t, changed := decode(j)
		if !changed {
			continue
		}
		if stages != nil {
			for i := range f {
				f[i], t[i] = from[f[i]], to[t[i]-1]
			}
		}
		j, from, to = d, f, t
		stages = append(stages, stage{j, from, to})
	}
	return stages
}

// decodeSteps are decoded's steps: %-escapes decoded once more for each
// time percentForms escapes again, so that escapes mixed and then escaped
// again are found. decodeStepsBreaks are the same, each "\r\n" read as
// "\n" first and after each step that may write one (see unbreak).
var (
	decodeSteps       = []func(string) (string, []int, []int, bool){unwrapped, unref, unescapeJSON, unwrapped, unpercent, unpercent, unpercent, unref, unescapeJSON}
	decodeStepsBreaks = []func(string) (string, []int, []int, bool){unbreak, unwrapped, unref, unbreak, unescapeJSON, unbreak,
		unwrapped, unpercent, unbreak, unpercent, unbreak, unpercent, unbreak, unref, unbreak, unescapeJSON, unbreak}
)

// unbreak returns s with each "\r\n" as "\n", and, for each byte of the
// result, the bytes of s it comes from: from[i] up to to[i]; ok is false,
// and nothing else returned, when s has none. So a form of a secret of
// many lines with "\n" line breaks is found where a text writes them as
// "\r\n", as is or escaped ("%0D%0A", "\r\n" in JSON, "&#13;&#10;"), and
// the Redactor holds that form once, not again with "\r\n" (see
// undecodedEncodings).
func unbreak(s string) (j string, from, to []int, ok bool) {
	if !strings.Contains(s, "\r\n") {
		return "", nil, nil, false
	}
	return decodeAt(s, '\r', func(s string) (rune, int) {
		if len(s) >= 2 && s[1] == '\n' {
			return '\n', 2
		}
		return 0, 0
	})
}

// unwrapped is unwrap, giving where each byte ends as well.
func unwrapped(s string) (string, []int, []int, bool) {
	j, at, ok := unwrap(s)
	if !ok {
		return "", nil, nil, false
	}
	to := make([]int, len(at))
	for i, a := range at {
		to[i] = a + 1
	}
	return j, at, to, true
}

// unescapeJSON returns s with the escapes of a JSON string decoded ("\/",
// "\n", "\u003c" or "\u003C", a surrogate pair as one character), as
// encoders mix them (PHP's "\/" with "\u003C", say); and, for each byte
// of the result, the bytes of s it comes from: from[i] up to to[i]. ok is
// false, and nothing else returned, when s has none.
func unescapeJSON(s string) (j string, from, to []int, ok bool) {
	return decodeAt(s, '\\', jsonEscape)
}

// jsonEscape returns the character that the JSON escape s starts with
// stands for, and the escape's length; 0 when s starts with none.
func jsonEscape(s string) (rune, int) {
	if len(s) < 2 {
		return 0, 0
	}
	if c := strings.IndexByte(`"\/bfnrt`, s[1]); c >= 0 {
		return rune("\"\\/\b\f\n\r\t"[c]), 2
	}
	u := func(s string) rune {
		if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(s[2:6], 16, 16)
		if err != nil || s[2] == '+' {
			return -1
		}
		return rune(v)
	}
	c := u(s)
	switch {
	case c < 0:
		return 0, 0
	case utf16.IsSurrogate(c):
		if c2 := u(s[6:]); c2 >= 0 {
			if r := utf16.DecodeRune(c, c2); r != utf8.RuneError {
				return r, 12
			}
		}
		return 0, 0
	}
	return c, 6
}

// unpercent returns s with its %-escapes decoded, each to the byte it
// stands for, as servers and proxies mix them (an escape of one encoder
// beside one of another, "%2f" beside "%2B", "+" escaped and "=" or "/"
// not, an unreserved character escaped, hex digits of either case inside
// the escapes of one character outside ASCII, "%C3%a9"); and, for each
// byte of the result, the bytes of s it comes from: from[i] up to to[i].
// ok is false, and nothing else returned, when s has none.
func unpercent(s string) (j string, from, to []int, ok bool) {
	return decodeAt(s, '%', percentRef)
}

// percentRef returns the byte that the %-escape s starts with stands
// for, as a rune below 256 that decodeAt writes as that byte, and the
// escape's length, 3; 0 when s starts with none.
func percentRef(s string) (rune, int) {
	if len(s) < 3 || !isHex(s[1]) || !isHex(s[2]) {
		return 0, 0
	}
	v, _ := strconv.ParseUint(s[1:3], 16, 8)
	return rune(v), 3
}

// unref returns s with its character references decoded, as an XML or
// HTML reader decodes them: decimal and hex ("&#65;", "&#x41;", "&#X41;",
// leading zeros or not), XML's named ones and HTML's for ASCII
// characters; and, for each byte of the result, the bytes of s it comes
// from: from[i] up to to[i]. ok is false, and nothing else returned, when
// s has none.
func unref(s string) (j string, from, to []int, ok bool) {
	return decodeAt(s, '&', charRef)
}

// decodeAt returns s with each escape that starts with the byte esc
// decoded by decode, which gives the character an escape stands for and
// its length (0 when s starts with none), or, for a %-escape, the byte;
// and, for each byte of the
// result, the bytes of s it comes from: from[i] up to to[i]. ok is false,
// and nothing else returned, when s has none.
func decodeAt(s string, esc byte, decode func(string) (rune, int)) (j string, from, to []int, ok bool) {
	var b strings.Builder
	written := 0 // of s
	for p := strings.IndexByte(s, esc); p >= 0; p = nextByte(s, p, esc) {
		if p < written {
			continue // inside the escape decoded last
		}
		c, n := decode(s[p:])
		if n == 0 {
			continue
		}
		if from == nil {
			b.Grow(len(s))
			from, to = make([]int, 0, len(s)), make([]int, 0, len(s))
		}
		b.WriteString(s[written:p])
		for i := written; i < p; i++ {
			from, to = append(from, i), append(to, i+1)
		}
		w := b.Len()
		if esc == '%' {
			b.WriteByte(byte(c)) // a byte, which may be part of a character
		} else {
			b.WriteRune(c)
		}
		for range b.Len() - w {
			from, to = append(from, p), append(to, p+n)
		}
		written = p + n
	}
	if from == nil {
		return "", nil, nil, false
	}
	b.WriteString(s[written:])
	for i := written; i < len(s); i++ {
		from, to = append(from, i), append(to, i+1)
	}
	return b.String(), from, to, true
}

// nextByte returns the index of the first c of s after p, or -1.
func nextByte(s string, p int, c byte) int {
	if i := strings.IndexByte(s[p+1:], c); i >= 0 {
		return p + 1 + i
	}
	return -1
}

// maxCharRef is the length of the longest character reference charRef
// reads: "&#x" or "&#", up to eight digits, and ";".
const maxCharRef = 12

// charRef returns the character that the reference s starts with stands
// for, and the reference's length; 0 when s starts with none.
func charRef(s string) (rune, int) {
	end := strings.IndexByte(s[:min(len(s), maxCharRef+1)], ';')
	if end < 2 {
		return 0, 0
	}
	ref := s[1:end]
	if ref[0] != '#' {
		if c, ok := namedRefs[ref]; ok {
			return c, end + 1
		}
		return 0, 0
	}
	digits, base := ref[1:], 10
	if digits != "" && (digits[0] == 'x' || digits[0] == 'X') {
		digits, base = digits[1:], 16
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, 0
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
		return 0, 0
	}
	return rune(v), end + 1
}

// namedRefs are XML's named references and HTML's for ASCII characters
// (tab and newline among them), which may each stand for a character of a
// secret.
var namedRefs = map[string]rune{
	"amp": '&', "AMP": '&', "lt": '<', "LT": '<', "gt": '>', "GT": '>', "quot": '"', "QUOT": '"', "apos": '\'',
	"Tab": '\t', "NewLine": '\n', "excl": '!', "num": '#', "dollar": '$', "percnt": '%', "lpar": '(',
	"rpar": ')', "ast": '*', "midast": '*', "plus": '+', "comma": ',', "period": '.', "sol": '/',
	"colon": ':', "semi": ';', "equals": '=', "quest": '?', "commat": '@', "lsqb": '[', "lbrack": '[',
	"bsol": '\\', "rsqb": ']', "rbrack": ']', "Hat": '^', "lowbar": '_', "UnderBar": '_', "grave": '`',
	"DiacriticalGrave": '`', "lcub": '{', "lbrace": '{', "verbar": '|', "vert": '|', "VerticalLine": '|',
	"rcub": '}', "rbrace": '}', "nbsp": '\u00a0', "NonBreakingSpace": '\u00a0',
}

// splitHead returns where s, the start of a longer text, ends in the start
// of a form that line breaks split or character references write (see
// decoded), or -1. A soft line break, a line break after a line of
// wrapped base64 and a character reference that s ends in unfinished
// count as the start of one that goes on; an unfinished decimal or hex
// reference is left out in any case.
func (m *matcher) splitHead(s string) int {
	t := cutStub(s)
	stages := decoded(t, m.breaks)
	if stages == nil {
		if t == s {
			return -1 // replace finds the start of a form written whole
		}
		stages = []stage{{j: t}}
	}
	cut := -1
	for _, st := range stages {
		// A stage too may end in an escape the cut left unfinished
		// ("%25C" decoded once).
		j, stub := st.j, cutStub(st.j)
		for i := max(0, len(j)-m.maxLen+1); i < len(j); i++ {
			if m.head(j[i:]) || i < len(stub) && m.head(stub[i:]) {
				at := i
				if st.from != nil {
					at = st.from[i]
				}
				if cut < 0 || at < cut {
					cut = at
				}
				break
			}
		}
	}
	if cut >= 0 {
		return cut
	}
	if strings.HasPrefix(s[len(t):], "&#") {
		// Part of a character, which may be a secret's first: the
		// digits of a hex reference give half a byte each.
		return len(t)
	}
	return -1
}

// cutStub returns s without what it ends in when a cut left a line break,
// a character reference or an escape unfinished: "=" ending the text, or a
// line, which may be a soft line break; a line break after a line of
// base64 that may be wrapped; "&" and what may follow it in a reference;
// a %-escape or a JSON escape (see jsonStub) begun.
func cutStub(s string) string {
	t := strings.TrimSuffix(s, "\n")
	t = strings.TrimSuffix(t, "\r")
	if u, ok := strings.CutSuffix(t, "="); ok {
		return u
	}
	if len(t) < len(s) {
		if line := t[strings.LastIndexByte(t, '\n')+1:]; len(line) >= minWrappedLine && isBase64(line) {
			return t
		}
	}
	if a := strings.LastIndexByte(s, '&'); a >= 0 && len(s)-a < maxCharRef && refStart(s[a+1:]) {
		return s[:a]
	}
	if p := strings.LastIndexByte(s, '%'); p >= 0 && len(s)-p <= 2 && (p == len(s)-1 || isHex(s[p+1])) {
		return s[:p] // a %-escape the cut left unfinished
	}
	return jsonStub(s)
}

// jsonStub returns s without what it ends in when a cut left a JSON
// escape unfinished: "\" or "\u" and up to three hex digits, and a
// surrogate pair's first half before them or alone ("\ud83d\ude"), which
// decodes to nothing without its second.
func jsonStub(s string) string {
	t := s
	if b := strings.LastIndexByte(t, '\\'); b >= 0 && unescaped(t, b) {
		if rest := t[b+1:]; rest == "" || rest[0] == 'u' && len(rest) <= 4 && allHex(rest[1:]) {
			t = t[:b]
		}
	}
	if n := len(t) - 6; n >= 0 && t[n] == '\\' && t[n+1] == 'u' && unescaped(t, n) && allHex(t[n+2:]) {
		if v, _ := strconv.ParseUint(t[n+2:], 16, 16); 0xd800 <= v && v < 0xdc00 {
			t = t[:n]
		}
	}
	return t
}

// unescaped reports whether the backslash at s[b] starts an escape: an
// even number of backslashes comes before it.
func unescaped(s string, b int) bool {
	k := b
	for k > 0 && s[k-1] == '\\' {
		k--
	}
	return (b-k)%2 == 0
}

// allHex reports whether s is hex digits alone (or empty).
func allHex(s string) bool {
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// refStart reports whether s may be what follows "&" in a character
// reference the end of the text cut.
func refStart(s string) bool {
	s, num := strings.CutPrefix(s, "#")
	if num {
		if rest, ok := strings.CutPrefix(s, "x"); ok {
			s = rest
		} else if rest, ok := strings.CutPrefix(s, "X"); ok {
			s = rest
		}
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || !num && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') ||
			num && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')) {
			return false
		}
	}
	return true
}
