package templates

import "strings"

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
	case (closing || !oneOfFold(name, preTags)) && tagRest(rest, closing):
		return 7
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

// tagRest reports whether rest, what follows a tag's name on its line,
// ends an open tag (attributes, each after white space, with a value or
// not, then "/>" or ">") or, closing, a closing tag (">" after white
// space), with only spaces and tabs after it (CommonMark 0.31.2, 6.6).
func tagRest(rest string, closing bool) bool {
	i := 0
	for !closing {
		sp := skipBlanks(rest, i)
		if sp == i || sp >= len(rest) || !attrNameStart(rest[sp]) {
			i = sp
			break
		}
		for i = sp; i < len(rest) && (attrNameStart(rest[i]) || isDigit(rest[i]) || rest[i] == '.' || rest[i] == '-'); i++ {
		}
		if v := skipBlanks(rest, i); v < len(rest) && rest[v] == '=' {
			v = skipBlanks(rest, v+1)
			n := attrValueLen(rest[v:])
			if n == 0 {
				return false
			}
			i = v + n
		}
	}
	i = skipBlanks(rest, i)
	if !closing && i < len(rest) && rest[i] == '/' {
		i++
	}
	return i < len(rest) && rest[i] == '>' && skipBlanks(rest, i+1) == len(rest)
}

// attrValueLen returns the length of the attribute value s starts with:
// within quotes or apostrophes, or a run of characters but white space,
// quotes, apostrophes, "=", "<", ">" and "`"; 0 when there is none.
func attrValueLen(s string) int {
	if s == "" {
		return 0
	}
	if q := s[0]; q == '"' || q == '\'' {
		if n := strings.IndexByte(s[1:], q); n >= 0 {
			return n + 2
		}
		return 0
	}
	n := 0
	for n < len(s) && strings.IndexByte(" \t\"'=<>`", s[n]) < 0 {
		n++
	}
	return n
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
