package templates

import (
	"math"
	"strings"
)

// htmlBlock returns which of the seven kinds of HTML block (CommonMark
// 0.31.2, 4.6) the line from s[j] on starts, or 0: 1, "<pre", "<script",
// "<style" or "<textarea" before a space, a tab, ">" or the line's end;
// 2, "<!--"; 3, "<?"; 4, "<!" and a letter; 5, "<![CDATA["; 6, "<" or "</"
// and the name of a block element (blockTags) before a space, a tab, ">",
// "/>" or the line's end; 7, a whole open or closing tag, then spaces and
// tabs only. Names are matched in any case. The seventh kind interrupts
// no paragraph.
func htmlBlock(s string, j int) int {
	line := s[j:lineEnd(s, j)]
	switch {
	case len(line) < 2 || line[0] != '<':
		return 0
	case strings.HasPrefix(line, "<!--"):
		return 2
	case line[1] == '?':
		return 3
	case strings.HasPrefix(line, "<![CDATA["):
		return 5
	case line[1] == '!':
		if len(line) > 2 && asciiLetter(line[2]) {
			return 4
		}
		return 0
	}
	closing := line[1] == '/'
	start := 1
	if closing {
		start = 2
	}
	k := start
	for k < len(line) && (asciiLetter(line[k]) || k > start && (isDigit(line[k]) || line[k] == '-')) {
		k++
	}
	if k == start {
		return 0
	}
	name, rest := line[start:k], line[k:]
	ends := rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '>'
	switch {
	case !closing && ends && oneOfFold(name, preTags):
		return 1
	case (ends || strings.HasPrefix(rest, "/>")) && oneOfFold(name, blockTags):
		return 6
	case closing || !oneOfFold(name, preTags):
		h := newHTMLScan()
		if n := h.tag(line, 0, nil); n > 0 && skipBlanks(line, n) == len(line) {
			return 7
		}
	}
	return 0
}

// preTags are the names of the first kind of HTML block; blockTags those
// of the sixth (CommonMark 0.31.2, 4.6).
var (
	preTags   = []string{"pre", "script", "style", "textarea"}
	blockTags = []string{"address", "article", "aside", "base", "basefont", "blockquote", "body",
		"caption", "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
		"fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset",
		"h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe",
		"legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes",
		"ol", "optgroup", "option", "p", "param", "search", "section", "summary",
		"table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul"}
)

// htmlEnds are the strings whose line ends an HTML block of the first
// five kinds, by kind; the first kind's are matched in any case.
var htmlEnds = [...][]string{
	{"</pre>", "</script>", "</style>", "</textarea>"}, {"-->"}, {"?>"}, {">"}, {"]]>"},
}

// htmlEnd returns the offset of the line after the HTML block of the
// given kind that starts at s[j], on the line that starts at s[i], in
// the containers of p: the line after the one that holds the end of its
// kind (the first five), or the blank line that follows it (the sixth
// and seventh), or the first line that does not continue all its
// containers (CommonMark 0.31.2, 4.6, 5.1, 5.2).
func (p *para) htmlEnd(s string, i, j, kind int) int {
	for {
		if kind < 6 && containsAnyFold(s[j:lineEnd(s, j)], htmlEnds[kind-1]) {
			return nextLine(s, i)
		}
		if i = nextLine(s, i); i >= len(s) {
			return len(s)
		}
		at, _, k := p.match(s, i)
		if k < p.n || kind >= 6 && blankAfter(s, at) {
			return i
		}
		j = at
	}
}

// htmlClosers are the strings the inline raw HTML reader looks for to
// end a comment, a processing instruction, a CDATA section, a
// declaration, and an attribute value within quotes or apostrophes
// (CommonMark 0.31.2, 6.6), in htmlScan.none's order.
var htmlClosers = [...]string{"-->", "?>", "]]>", ">", `"`, "'"}

// htmlScan reads inline raw HTML (CommonMark 0.31.2, 6.6) in one
// paragraph at a time: an open or closing tag, a comment, a processing
// instruction, a declaration or a CDATA section, which may go on over the
// paragraph's lines. none holds, for each of htmlClosers, the offset from
// which a search for it found none before the paragraph's end, so that a
// search from there on fails without reading: a paragraph of many "<!--"
// that none closes is read once, not once for each.
type htmlScan struct {
	none [len(htmlClosers)]int
}

func newHTMLScan() htmlScan {
	var h htmlScan
	h.reset()
	return h
}

// reset forgets what the searches found, for the next paragraph.
func (h *htmlScan) reset() {
	for k := range h.none {
		h.none[k] = math.MaxInt
	}
}

// end returns the offset after the inline raw HTML that starts at s[i],
// a "<", in the paragraph p (see para), or -1 when there is none there.
// A line break in it is one of the paragraph's: the next line's markers
// of p's containers are passed, and a line break that ends p ends the
// raw HTML unclosed. A nil p is a paragraph of one line.
func (h *htmlScan) end(s string, i int, p *para) int {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		return h.closer(s, i+2, 0, p) // "<!-->" and "<!--->" too
	case strings.HasPrefix(rest, "<?"):
		return h.closer(s, i+2, 1, p)
	case strings.HasPrefix(rest, "<![CDATA["):
		return h.closer(s, i+len("<![CDATA["), 2, p)
	case strings.HasPrefix(rest, "<!") && len(rest) > 2 && asciiLetter(rest[2]):
		return h.closer(s, i+3, 3, p)
	}
	return h.tag(s, i, p)
}

// tag returns the offset after the open or closing tag that starts at
// s[i], a "<", in the paragraph p (see end): "<", a name, attributes,
// each after white space, with a value or not, white space, "/" and ">";
// or "</", a name, white space and ">". White space holds spaces, tabs
// and line breaks. It returns -1 when there is none there.
func (h *htmlScan) tag(s string, i int, p *para) int {
	j := i + 1
	closing := j < len(s) && s[j] == '/'
	if closing {
		j++
	}
	if j >= len(s) || !asciiLetter(s[j]) {
		return -1
	}
	for j++; j < len(s) && (asciiLetter(s[j]) || isDigit(s[j]) || s[j] == '-'); j++ {
	}
	for !closing {
		sp := h.space(s, j, p)
		if sp < 0 {
			return -1
		}
		if sp == j || sp >= len(s) || !attrNameStart(s[sp]) {
			j = sp
			break
		}
		for j = sp + 1; j < len(s) && (attrNameStart(s[j]) || isDigit(s[j]) || s[j] == '.' || s[j] == '-'); j++ {
		}
		if v := h.space(s, j, p); v >= 0 && v < len(s) && s[v] == '=' {
			if j = h.value(s, h.space(s, v+1, p), p); j < 0 {
				return -1
			}
		}
	}
	if j = h.space(s, j, p); j < 0 {
		return -1
	}
	if !closing && j < len(s) && s[j] == '/' {
		j++
	}
	if j < len(s) && s[j] == '>' {
		return j + 1
	}
	return -1
}

// value returns the offset after the attribute value that starts at
// s[i]: within quotes or apostrophes, over lines of p too, or a run of
// characters but white space, quotes, apostrophes, "=", "<", ">" and
// "`"; -1 when there is none there (i is -1 too when p ended before).
func (h *htmlScan) value(s string, i int, p *para) int {
	switch {
	case i < 0 || i >= len(s):
		return -1
	case s[i] == '"':
		return h.closer(s, i+1, 4, p)
	case s[i] == '\'':
		return h.closer(s, i+1, 5, p)
	}
	j := i
	for j < len(s) && strings.IndexByte(" \t\r\n\"'=<>`", s[j]) < 0 {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// closer returns the offset after the first htmlClosers[k] at or after
// s[from] in the paragraph p (see end), or -1 when p ends before one.
func (h *htmlScan) closer(s string, from, k int, p *para) int {
	if from >= h.none[k] {
		return -1
	}
	c := htmlClosers[k]
	for i := from; i < len(s); {
		end := lineEnd(s, i)
		if n := strings.Index(s[i:end], c); n >= 0 {
			return i + n + len(c)
		}
		if end == len(s) {
			break
		}
		if i = lineAfter(s, end, p); i < 0 {
			break
		}
	}
	h.none[k] = min(h.none[k], from)
	return -1
}

// space returns the offset after the spaces, tabs and line breaks at
// s[i] on, in the paragraph p (see end), or -1 when p ends among them.
func (h *htmlScan) space(s string, i int, p *para) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
			i++
		case '\r', '\n':
			if i = lineAfter(s, i, p); i < 0 {
				return -1
			}
		default:
			return i
		}
	}
	return i
}

// lineAfter returns where the text of the paragraph p goes on after the
// line break at s[i] (a CR, a LF or a CR LF), past the markers of p's
// containers on the next line (see match), or -1 when the line break
// ends p (see paragraphEnd). A nil p ends at its first line break.
func lineAfter(s string, i int, p *para) int {
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		i++
	}
	if p == nil || paragraphEnd(s, i, *p) {
		return -1
	}
	at, _, _ := p.match(s, i+1)
	return at
}

func attrNameStart(c byte) bool { return asciiLetter(c) || c == '_' || c == ':' }

func asciiLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipBlanks returns the offset of the first character at or after s[i]
// that is no space or tab.
func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// oneOfFold reports whether name is one of names, in any case of ASCII.
func oneOfFold(name string, names []string) bool {
	for _, n := range names {
		if asciiEqualFold(name, n) {
			return true
		}
	}
	return false
}

// containsAnyFold reports whether line holds one of ends, in any case of
// ASCII.
func containsAnyFold(line string, ends []string) bool {
	for k := range line {
		for _, e := range ends {
			if len(line)-k >= len(e) && asciiEqualFold(line[k:k+len(e)], e) {
				return true
			}
		}
	}
	return false
}

// asciiEqualFold reports whether a and b are equal, ASCII letters in any
// case; other bytes must be equal.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if x, y := a[i], b[i]; x != y && !(asciiLetter(x) && x|0x20 == y|0x20) {
			return false
		}
	}
	return true
}
