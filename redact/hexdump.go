package redact

import (
	"iter"
	"slices"
	"sort"
	"strings"
)

// hexBytes is a run of bytes written in hex two digits each, as a server
// dumping the bytes it received writes them: d, the bytes; w, the digits
// of a group, 2 (a byte) or 4 (two bytes); lines, the run's lines, from
// which at and col tell where a byte is written. A run is kept in about a
// byte per byte it holds, not in a word or more (it may be as long as the
// text).
type hexBytes struct {
	d     []byte
	w     int
	lines []hexLine
}

// hexLine is a line of a run of hex bytes: first, the index in d of its
// first byte, whose digits start at at; wide, whether two spaces follow
// its eighth byte (hexdump -C); col, where the text column beside it
// shows its first byte, or -1, and ncol, how many of its bytes it shows.
// Every other separator of a line is one character.
type hexLine struct {
	first, at int
	wide      bool
	col, ncol int
}

// line returns the line that holds byte k.
func (h *hexBytes) line(k int) *hexLine {
	n := sort.Search(len(h.lines), func(i int) bool { return h.lines[i].first > k })
	return &h.lines[n-1]
}

// at returns where the digits of byte k start.
func (h *hexBytes) at(k int) int {
	l := h.line(k)
	j := k - l.first
	if h.w == 4 {
		return l.at + j/2*5 + j%2*2
	}
	p := l.at + 3*j
	if l.wide && j >= 8 {
		p++
	}
	return p
}

// col returns where the text column of a dump's line shows byte k, or -1.
func (h *hexBytes) col(k int) int {
	l := h.line(k)
	if j := k - l.first; l.col >= 0 && j < l.ncol {
		return l.col + j
	}
	return -1
}

// hexGroup returns the number of hex digits s[i:] starts with, 2 or 4,
// when no ASCII letter or digit runs on from them on either side; 0
// otherwise.
func hexGroup(s string, i int) int {
	if i > 0 && i <= len(s) && isWordByte(s[i-1]) {
		return 0
	}
	n := 0
	for n < 5 && i+n < len(s) && isHex(s[i+n]) {
		n++
	}
	if n != 2 && n != 4 || i+n < len(s) && isWordByte(s[i+n]) {
		return 0
	}
	return n
}

// hexSeps returns the separators of a run of groups of w digits: for
// bytes a space, ":", "-" or a tab, for groups of two bytes (xxd's
// default, tcpdump -X) a space.
func hexSeps(w int) string {
	if w == 4 {
		return " "
	}
	return " :-\t"
}

// groupFits reports whether a group of g digits may follow in a run of
// groups of w: one of w, or, in groups of two bytes, one of a byte (the
// last of an odd number).
func groupFits(w, g int) bool {
	return g == w || w == 4 && g == 2
}

// scanHex reads the run of hex bytes that starts at s[i] into h and
// returns where it ends. The bytes of a run are separated by one space,
// ":", "-" or tab, the same throughout, two spaces after the eighth of a
// line allowed (hexdump -C); or they are in groups of two bytes separated
// by one space (xxd, tcpdump -X), the last group of a line one byte when
// the line has an odd number. A run goes on at the start of the next line (after
// an offset, as a dump writes it: four or more hex digits, or "0x" and
// them, then ":" or a space; a run whose first line starts with one goes
// on only after one) when what ends its line is nothing, or, after two
// spaces, the line's bytes as text (hexdump -C, xxd), whose characters
// the line records when there is one for each byte of the line (or, on
// the text's last line, which a cut may have ended, fewer).
func scanHex(s string, i int, h *hexBytes) int {
	h.d, h.lines = h.d[:0], h.lines[:0]
	h.w = hexGroup(s, i)
	var sep byte
	line := hexLine{at: i, col: -1}
	// A dump's lines, each after its offset, which is short: look back no
	// further, or text of many short runs on one line is read over and over.
	lo := max(0, i-maxDumpOffset)
	bol := strings.LastIndexByte(s[lo:i], '\n') + 1 + lo
	offsets := (bol > lo || lo == 0) && i > bol && dumpOffset(s[bol:]) == i-bol
	p := i
	for {
		g := hexGroup(s, p)
		h.d = doubled(h.d)
		for k := 0; k < g; k += 2 {
			h.d = append(h.d, unhex(s[p+k])<<4|unhex(s[p+k+1]))
		}
		q := p + g
		if g == h.w { // a shorter group ends its line's bytes
			if q < len(s) && sep == 0 && strings.IndexByte(hexSeps(h.w), s[q]) >= 0 {
				sep = s[q]
			}
			if q < len(s) && s[q] == sep {
				if groupFits(h.w, hexGroup(s, q+1)) {
					p = q + 1
					continue
				}
				if sep == ' ' && h.w == 2 && len(h.d)-line.first == 8 && q+1 < len(s) && s[q+1] == ' ' && hexGroup(s, q+2) == 2 {
					line.wide = true
					p = q + 2
					continue
				}
			}
		}
		// The end of the line's bytes: what follows on the line, then the
		// next line.
		rest := s[q:]
		pad := len(rest) - len(strings.TrimLeft(rest, " "))
		h.lines = append(doubled(h.lines), line)
		n := len(h.d) - line.first
		// The line ends in at most a text column of n characters, with
		// "|" around it, and "\r": look no further, or text of many short
		// runs on one line is read over and over.
		win := rest[pad:min(len(rest), pad+n+3)]
		nl := strings.IndexByte(win, '\n')
		last := nl < 0 // the text's last line, which a cut may have ended
		switch {
		case !last:
			nl += q + pad
		case pad+len(win) == len(rest):
			nl = len(s)
		default:
			return q // a line too long for a dump's
		}
		text := strings.TrimSuffix(s[q+pad:nl], "\r")
		if text != "" {
			if pad < 2 {
				return q // not a dump's text column
			}
			c := q + pad
			if inner, ok := strings.CutPrefix(text, "|"); ok {
				text, c = strings.TrimSuffix(inner, "|"), c+1
			}
			if len(text) == n || last && len(text) < n {
				l := &h.lines[len(h.lines)-1]
				l.col, l.ncol = c, len(text)
			}
		}
		if last {
			return q
		}
		off := dumpOffset(s[nl+1:])
		next := nl + 1 + off
		if sep == 0 || offsets && off == 0 || !groupFits(h.w, hexGroup(s, next)) {
			return q
		}
		p, line = next, hexLine{first: len(h.d), at: next, col: -1}
	}
}

// hexRunAt reports whether a run of hex bytes (see scanHex) starts at
// s[i]: two groups and a separator between them.
func hexRunAt(s string, i int) bool {
	w := hexGroup(s, i)
	return w > 0 && i+w < len(s) && strings.IndexByte(hexSeps(w), s[i+w]) >= 0 && groupFits(w, hexGroup(s, i+w+1))
}

// hexRuns yields each run of hex bytes in s, read into h by scanHex:
// where it starts and where it ends. A run that ends where its last byte
// goes on with another separator ("0a-73 33 63") is followed by the run
// that starts at that byte, so that the bytes after it are read from it.
func hexRuns(s string, h *hexBytes) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i+2 < len(s); {
			if !hexRunAt(s, i) {
				i++
				continue
			}
			end := scanHex(s, i, h)
			if !yield(i, end) {
				return
			}
			if last := h.at(len(h.d) - 1); last > i && hexRunAt(s, last) {
				i = last
			} else {
				i = end
			}
		}
	}
}

// doubled returns s with room for a few more elements: twice its length
// when it is full, so that a long run costs about twice its size in all,
// where append's growth by a quarter at a time would cost five times it.
func doubled[T any](s []T) []T {
	if len(s)+2 <= cap(s) {
		return s
	}
	return slices.Grow(s, max(len(s), 16))
}

// maxDumpOffset is the length of the longest line start that scanHex
// takes for a dump's offset and the spaces around it.
const maxDumpOffset = 32

// dumpOffset returns the length of the offset that line, a line of a hex
// dump, starts with, and the spaces around it; 0 when it starts with none.
func dumpOffset(line string) int {
	t := strings.TrimLeft(line, " \t")
	d := strings.TrimPrefix(t, "0x")
	n := 0
	for n < len(d) && isHex(d[n]) {
		n++
	}
	if n < 4 || n == len(d) || d[n] != ':' && d[n] != ' ' && d[n] != '\t' {
		return 0
	}
	rest := strings.TrimPrefix(d[n:], ":")
	return len(line) - len(strings.TrimLeft(rest, " \t"))
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// inHex returns the spans of s, start and end, of the forms of minFreeForm
// bytes or more, and of the parts of the PEM blocks' bytes (see
// derIndex), found in the bytes that a run of hex bytes writes (see
// scanHex): the digits from the form's first byte to its last, and the
// characters that show them in a dump's text column; and those of both
// written in hex without separators (see inPlainHex).
func (m *matcher) inHex(s string) [][2]int {
	var spans [][2]int
	var h hexBytes
	// span adds the span of the run's bytes k to last.
	span := func(k, last int) {
		spans = append(spans, [2]int{h.at(k), h.at(last) + 2})
		for b := k; b <= last; b++ {
			c := h.col(b)
			switch n := len(spans); {
			case c < 0:
			case spans[n-1][1] == c: // the character after the last
				spans[n-1][1] = c + 1
			default:
				spans = append(spans, [2]int{c, c + 1})
			}
		}
	}
	for range hexRuns(s, &h) {
		if len(h.d) >= minFreeForm {
			for k, f := range m.freeForms(string(h.d)) {
				span(k, k+len(m.form(f))-1)
			}
		}
		if m.ders != nil {
			m.ders.parts(h.d, func(k, e int) { span(k, e-1) })
		}
	}
	return append(spans, m.inPlainHex(s)...)
}

// withinHex returns s with each occurrence of a form that inHex finds
// replaced by Redacted, and whether it found one.
func (m *matcher) withinHex(s string) (string, bool) {
	spans := m.inHex(s)
	if spans == nil {
		return s, false
	}
	return redactSpans(s, spans), true
}

// hexHead returns where s, the start of a longer text, ends in hex whose
// bytes end in the start of a form: where the digits of the form's first
// byte start; or -1. The hex is a run of hex bytes (see scanHex) that may
// go on, or one of hex digits without separators (see plainHexHead);
// the first start of the two. A run of bytes may go on when s ends after
// it in a separator and at most a digit, in spaces and the start of the
// line's text column, or in the next line's offset and at most a digit.
func (m *matcher) hexHead(s string) int {
	k := m.plainHexHead(s)
	var h hexBytes
	end := -1 // of the last run, which h holds
	for _, e := range hexRuns(s, &h) {
		end = e
	}
	if end < 0 || !hexGoesOn(s[end:], h.w) {
		return k
	}
	d := string(h.d)
	for j := max(0, len(d)-m.maxLen+1); j < len(d); j++ {
		if m.head(d[j:]) {
			if at := h.at(j); k < 0 || at < k {
				return at
			}
			break
		}
	}
	return k
}

// plainHexHead returns where s, the start of a longer text, ends in a run
// of hex digits without separators (see plainHex; also with a line break
// after it, where the cut fell between two of xxd -p's lines) whose
// bytes, read from the run's first digit or its second, end in the start
// of a form: where the digits of the form's first byte start, the first
// of the two readings' starts; or -1. A digit after the last whole byte
// is left out with it.
func (m *matcher) plainHexHead(s string) int {
	t := strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	if len(t) < len(s) {
		line := t[strings.LastIndexByte(t, '\n')+1:]
		if len(line) < 2*minFreeForm || !allHex(line) {
			return -1
		}
	}
	// Only the run's last bytes, which hold a start in their last maxLen,
	// are read: from a little more than their digits and line breaks
	// before the end.
	base := max(0, len(t)-3*m.maxLen-2)
	k := -1
	plainHex(t[base:], 2, func(digits []byte, pieces [][2]int) {
		last := pieces[len(pieces)-1]
		if base+last[0]+len(digits)-last[1] != len(t) {
			return // a run that does not end s
		}
		at := func(k int) int {
			p := sort.Search(len(pieces), func(p int) bool { return pieces[p][1] > k }) - 1
			return base + pieces[p][0] + k - pieces[p][1]
		}
		var d []byte
		for a := range 2 {
			d = d[:0]
			for j := a; j+1 < len(digits); j += 2 {
				d = append(d, unhex(digits[j])<<4|unhex(digits[j+1]))
			}
			for j := max(0, len(d)-m.maxLen+1); j < len(d); j++ {
				if m.head(string(d[j:])) {
					if p := at(a + 2*j); k < 0 || p < k {
						k = p
					}
					break
				}
			}
		}
	})
	return k
}

// hexGoesOn reports whether tail, what follows a run of hex bytes in
// groups of w digits at the end of a text cut short, may be followed by
// more of its bytes.
func hexGoesOn(tail string, w int) bool {
	line, after, broken := strings.Cut(tail, "\n")
	if !broken {
		t := strings.TrimLeft(tail, hexSeps(w))
		return t == "" || len(t) < w && allHex(t) && len(tail) == len(t)+1 || strings.HasPrefix(tail, "  ")
	}
	if strings.TrimRight(line, " \r") != "" && !strings.HasPrefix(line, "  ") {
		return false
	}
	return len(after) <= 16 && strings.Trim(after, "0123456789abcdefABCDEFx: \t") == ""
}
