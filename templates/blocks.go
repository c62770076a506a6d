package templates

import "strings"

// The link reader's blocks (see markup): which lines make one paragraph,
// whose inline content a link lies in, read as CommonMark 0.31.2 reads
// blocks (3.2, 4, 5): each line continues the block quotes and list items
// it is in, or leaves them, then may start others, then a leaf block or
// the next line of a paragraph.

// maxNest is the most block quotes and list items, one in another, that
// the link reader follows a line into: the markers of more are read as
// the text of the innermost.
const maxNest = 32

// quoted stands for a block quote among a para's containers.
const quoted = -1

// para is what the link reader knows of the block it reads the inline
// content of, a paragraph, a heading or a literal block, and of the
// containers it is in. It is read once, from the block's first line (see
// nextParagraph), not for each of its lines, which would read a first
// line deep in quotes or nested items (">>>>…", "- - - …") again for each
// line after it.
type para struct {
	// c holds the block quotes and list items the block is in, the
	// outermost first, n of them: quoted for a block quote, else the
	// column at which the list item's text starts.
	c [maxNest]int32
	n int
	// empty is set when the innermost container is a list item whose
	// line held nothing after its marker, and no line since: a blank
	// line ends it (see match).
	empty bool
	// heading is set for an ATX heading, which its line ends.
	heading bool
	// literal is set for an indented or fenced code block or an HTML
	// block, whose text is no Markdown (4.4 to 4.6): it is read as a
	// code span's is (see readMarkup), on its own, up to end, the offset
	// of the line after it.
	literal bool
	end     int
	// text is the offset of the first line's text, past its containers'
	// markers and its indentation, where a link reference definition
	// may start (see readRefs).
	text int
	// defsNext is the offset of the line after the link reference
	// definitions the paragraph starts with, 0 when it starts with none
	// (see refs.chains): a setext underline there underlines no text,
	// the definitions being all the paragraph holds so far (see
	// interrupts).
	defsNext int
}

// push adds a container inside the others; those past maxNest are not
// known.
func (p *para) push(c int) {
	if p.n < maxNest {
		p.c[p.n] = int32(c)
		p.n++
	}
}

// paragraphAt is nextParagraph; a test counts the reads through it.
var paragraphAt = nextParagraph

// nextParagraph returns the first block, from the line that starts at
// s[i] on, that the link reader reads, a paragraph, a heading or a
// literal block (see para), and the offset of its first line; open are
// the containers of the block before, which the line may continue, and
// after the last block, len(s). Blank lines are passed.
func nextParagraph(s string, i int, open para) (para, int) {
	// underlines says whether the line at i may be the setext heading
	// underline of the block before, a paragraph it ended (see
	// interrupts): the heading ends with it, and the next line starts
	// another block (CommonMark 0.31.2, 4.3).
	underlines := i > 0 && !open.heading && !open.literal
	for i < len(s) {
		p := para{c: open.c}
		at, col, k := open.match(s, i)
		p.n = k
		if underlines && k == open.n {
			if c, j := indentation(s, at, col); c-col < 4 && j < len(s) && (s[j] == '=' || s[j] == '-') && lineOf(s, j, s[j], 1, false) {
				p.heading, p.text = true, j
				return p, i
			}
		}
		underlines = false
		at, col = p.open(s, at, col)
		c, j := indentation(s, at, col)
		p.text = j
		switch {
		case blankAfter(s, j):
			// An item opened on this line with nothing after its marker
			// holds nothing yet.
			p.empty = p.n > k && p.c[p.n-1] != quoted
			open, i = p, nextLine(s, i)
			continue
		case c-col >= 4:
			p.literal, p.end = true, p.codeEnd(s, i)
		case fence(s, j) > 0:
			p.literal, p.end = true, p.fenceEnd(s, i, j)
		default:
			if kind := htmlBlock(s, j); kind > 0 {
				p.literal, p.end = true, p.htmlEnd(s, i, j, kind)
			} else {
				// A thematic break is a block of its own line, as a
				// heading is: the line after it starts another.
				p.heading = atxHeading(s, j) || thematicBreak(s, j)
			}
		}
		return p, i
	}
	return open, len(s)
}

// match reads the line that starts at s[i] into the containers of p, the
// outermost first, as far as it continues them (CommonMark 0.31.2, 5.1 to
// 5.3): a block quote with its ">", after up to three columns of
// indentation (see quoteMarker), a list item with indentation to its
// text's column, or with a blank line unless the item holds nothing yet
// (see para.empty: "A list item can begin with at most one blank line",
// 5.2). It returns the offset and column after them, and how many the
// line continues. The column may fall
// inside a tab at that offset (see indentation).
func (p *para) match(s string, i int) (at, col, k int) {
	at = i
	for ; k < p.n; k++ {
		if p.c[k] == quoted {
			c, j := indentation(s, at, col)
			if c-col > 3 || j >= len(s) || s[j] != '>' {
				break
			}
			at, col = quoteMarker(s, j, c)
		} else if blankAfter(s, at) {
			if p.empty && k == p.n-1 {
				break
			}
		} else {
			j, c, ok := indentTo(s, at, col, int(p.c[k]))
			if !ok {
				break
			}
			at, col = j, c
		}
	}
	return at, col, k
}

// open reads into p the block quotes and list items that the line's text
// at s[at], column col, starts (CommonMark 0.31.2, 5.1, 5.2), and returns
// where the text goes on: a ">", or a list marker ("- ", "1. ") of no
// thematic break ("- - -"), each after up to three columns of
// indentation. A list item's text starts at the column after its marker
// and the spaces after it, or one column after the marker when the item
// starts with a blank line or with indented code (five columns or more).
// A tab reaches its tab stop from the column it starts at: the text of
// "-\t" starts at column 4, that of ">\t- " at column 6.
func (p *para) open(s string, at, col int) (int, int) {
	for p.n < maxNest {
		c, j := indentation(s, at, col)
		if c-col > 3 || j >= len(s) {
			break
		}
		if s[j] == '>' {
			p.push(quoted)
			at, col = quoteMarker(s, j, c)
			continue
		}
		n := listMarker(s, j)
		if n == 0 || thematicBreak(s, j) {
			break
		}
		marker := n
		if m := s[j+n-1]; m == ' ' || m == '\t' {
			marker-- // listMarker counts one space or tab after the marker
		}
		text, next := indentation(s, j+marker, c+marker)
		if spaces := text - c - marker; spaces == 0 || spaces > 4 || blankAfter(s, next) {
			p.push(c + marker + 1)
			at, col = oneColumn(s, j+marker, c+marker)
			continue
		}
		p.push(text)
		at, col = next, text
	}
	return at, col
}

// quoteMarker returns the offset and column after the block quote marker
// ">" at s[j], column c, and the space or tab after it, which is the
// marker's (see oneColumn).
func quoteMarker(s string, j, c int) (at, col int) {
	return oneColumn(s, j+1, c+1)
}

// oneColumn returns the offset and column after one column of the space
// or tab at s[i], column col, if there is one there: a tab gives one
// column of it (CommonMark 0.31.2, 2.2), the rest, up to its tab stop,
// being indentation, and the offset is then the tab's, with the column
// inside it (see indentation).
func oneColumn(s string, i, col int) (at, c int) {
	if i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		if s[i] == ' ' || col%tabWidth == tabWidth-1 {
			i++ // the space, or a tab one column wide
		}
		col++
	}
	return i, col
}

// indentTo reads the spaces and tabs from s[i], column col, up to column
// to; ok is false when the line is indented less. A tab that reaches past
// to is left at the offset returned, with the column to inside it.
func indentTo(s string, i, col, to int) (at, c int, ok bool) {
	for ; col < to; i++ {
		if i >= len(s) {
			return i, col, false
		}
		switch s[i] {
		case ' ':
			col++
		case '\t':
			stop := col + tabWidth - col%tabWidth
			if stop > to {
				return i, to, true
			}
			col = stop
		default:
			return i, col, false
		}
	}
	return i, col, true
}

// indentation returns the column reached by the spaces and tabs at s[i]
// on, read from column col (a tab reaching the next multiple of
// tabWidth), and the offset after them. The indentation is the columns
// between col and the one returned. col may fall inside the tab at s[i],
// a column of which a block quote's or list item's marker took (see
// oneColumn): the tab still reaches its tab stop.
func indentation(s string, i, col int) (cols, at int) {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ':
			col++
		case '\t':
			col += tabWidth - col%tabWidth
		default:
			return col, i
		}
	}
	return col, i
}

// paragraphEnd reports whether s[i] ends a line (a LF, a CR alone, the
// LF of a CR LF: CommonMark's line endings, 0.31.2, 2.1) that ends the
// block p (see para): a heading's line, a literal block's last line, or
// a paragraph's line before a blank line or a line that interrupts it
// (see interrupts). After it, the next line is read by nextParagraph.
func paragraphEnd(s string, i int, p para) bool {
	switch s[i] {
	case '\r':
		if i+1 < len(s) && s[i+1] == '\n' {
			return false // the LF ends the line
		}
	case '\n':
	default:
		return false
	}
	if p.literal {
		return i+1 >= p.end
	}
	return p.heading || blankAfter(s, i+1) || interrupts(s, i+1, p)
}

// interrupts reports whether the line that starts at s[i] ends the
// paragraph p (CommonMark 0.31.2, 4.1 to 4.6, 5.1, 5.2): read past the
// containers of p it continues (see match), it is blank (a block quote's
// ">" alone too), or starts a block quote, an ATX heading, a thematic
// break, a code fence, an HTML block of the first six kinds, a setext
// heading's underline or a list item. A line indented four columns or
// more there starts none. A line that does not continue all of them (a
// lazy continuation line, with fewer ">" or indented less than a list
// item's text) continues the paragraph unless it starts such a block: a
// line of "=" or "-" there is no setext underline, and any list item
// there (another of the list) ends the paragraph. Where it continues them
// all, a list item interrupts only if it is not empty and is a bullet or
// numbered 1; where they are maxNest deep, neither a ">" nor a list item
// does, being the innermost's text. A setext underline right after the
// link reference definitions that are all p holds so far underlines
// nothing (see defsOnly): it is text of p unless it is a thematic break.
func interrupts(s string, i int, p para) bool {
	at, col, k := p.match(s, i)
	c, j := indentation(s, at, col)
	if blankAfter(s, j) {
		return true
	}
	if c-col >= 4 {
		return false
	}
	lazy := k < p.n
	if k == maxNest {
		// The line goes on past as many containers as the reader
		// follows: the markers of deeper ones are the innermost's text,
		// as on the paragraph's first line (see open).
		if s[j] == '>' || listMarker(s, j) > 0 && !thematicBreak(s, j) {
			return false
		}
	}
	switch ch := s[j]; ch {
	case '>':
		return true
	case '#':
		return atxHeading(s, j)
	case '=':
		return !lazy && lineOf(s, j, ch, 1, false) && !p.defsOnly(i)
	case '`', '~':
		return fence(s, j) > 0
	case '<':
		kind := htmlBlock(s, j)
		return kind > 0 && kind < 7
	case '-', '*', '_':
		if thematicBreak(s, j) || ch == '-' && !lazy && lineOf(s, j, ch, 1, false) && !p.defsOnly(i) {
			return true
		}
	}
	n := listMarker(s, j)
	switch {
	case n == 0:
		return false // no list item
	case lazy:
		return true // an item of the list, or of a list around the paragraph's block
	case blankAfter(s, j+n):
		return false // an empty one
	case strings.IndexByte("-*+", s[j]) >= 0:
		return true
	}
	digits := strings.IndexAny(s[j:], ".)")
	return strings.TrimLeft(s[j:j+digits], "0") == "1"
}

// defsOnly reports whether the line that starts at s[i] follows the
// link reference definitions the paragraph p starts with, which are all
// it holds before it: a setext underline there underlines nothing, and
// is the paragraph's text ("===", "-") unless it is a thematic break
// (CommonMark 0.31.2, example 216; goldmark reads "---" there as one, and
// "-" as an empty list item, which cannot interrupt a paragraph).
func (p *para) defsOnly(i int) bool { return p.defsNext == i }

// thematicBreak reports whether the line from s[i] on is a thematic
// break: three or more "-", "*" or "_", alike, and spaces and tabs.
func thematicBreak(s string, i int) bool {
	return strings.IndexByte("-*_", s[i]) >= 0 && lineOf(s, i, s[i], 3, true)
}

// nextLine returns the offset of the line after the one s[i] is in, or
// len(s).
func nextLine(s string, i int) int {
	i = lineEnd(s, i)
	if i+1 < len(s) && s[i] == '\r' && s[i+1] == '\n' {
		return i + 2
	}
	return min(i+1, len(s))
}

// codeEnd returns the offset of the line after the indented code block
// whose first line starts at s[i], in the containers of p: it goes on over
// the lines that continue them all and are blank or indented four
// columns more (CommonMark 0.31.2, 4.4).
func (p *para) codeEnd(s string, i int) int {
	for i = nextLine(s, i); i < len(s); i = nextLine(s, i) {
		at, col, k := p.match(s, i)
		c, j := indentation(s, at, col)
		if k < p.n || c-col < 4 && !blankAfter(s, j) {
			return i
		}
	}
	return len(s)
}

// fence returns the length of the code fence at s[j], three or more "`"
// or "~" (with no "`" after a run of "`" on its line), or 0.
func fence(s string, j int) int {
	if s[j] != '`' && s[j] != '~' {
		return 0
	}
	n := 1
	for j+n < len(s) && s[j+n] == s[j] {
		n++
	}
	if n < 3 || s[j] == '`' && strings.IndexByte(s[j+n:lineEnd(s, j+n)], '`') >= 0 {
		return 0
	}
	return n
}

// fenceEnd returns the offset of the line after the fenced code block
// that the fence at s[j] opens, on the line that starts at s[i], in the
// containers of p: the line after its closing fence (as many of its
// character or more, indented less than four columns, and nothing but
// spaces and tabs after them), or the first line that does not continue
// all its containers (CommonMark 0.31.2, 4.5, 5.1, 5.2).
func (p *para) fenceEnd(s string, i, j int) int {
	ch, n := s[j], fence(s, j)
	for i = nextLine(s, i); i < len(s); i = nextLine(s, i) {
		at, col, k := p.match(s, i)
		if k < p.n {
			return i
		}
		if c, j := indentation(s, at, col); c-col < 4 {
			m := 0
			for j+m < len(s) && s[j+m] == ch {
				m++
			}
			if m >= n && blankAfter(s, j+m) {
				return nextLine(s, i)
			}
		}
	}
	return len(s)
}
