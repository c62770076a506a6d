package templates

import (
	"regexp"
	"strings"
)

// escapeMarkdown backslash-escapes the characters that CommonMark (and the
// chat tools that follow it: Discord, Mattermost) would read as
// formatting, except inside URLs, which must stay clickable: "<" and ">"
// (HTML tags, autolinks) and "&" too, which would start an entity ("&lt;",
// "&#60;") that the HTML these tools render shows as another character.
// Characters that only matter at the start of a line ("#", "+", "-", "1.",
// "1)") are escaped there. A URL holding characters CommonMark would read
// inside it ("[x](…)", "*", "`"), or that begins an indented line, is
// written as an autolink, "<URL>", whose
// text is the URL as is; what follows it rather than belongs to it (see
// LinkSpans) is escaped as text. A URL whose link ends at a character
// that ends links ("https://x.example/1」を", see LinkSpans) is written
// so too, every link in it an autolink: a renderer would link it bare up
// to white space. So is a URL holding a character reference
// ("&copy;"), which CommonMark would read in bare text and in an autolink
// alike (see autolink). A URL of whole (the update's URL) that s shows
// where a renderer would end its link before its end (it ends in "." or
// an unopened ")", or holds "«") is written as an autolink, whole (see
// LinkSpansWhole).
func escapeMarkdown(s string, whole ...string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	last := 0
	line := 0 // where the line of the current URL begins
	for _, u := range URLSpans(s) {
		escapeText(&b, s[last:u[0]], last == 0 || s[last-1] == '\n')
		// Only the text since the last URL is searched for a line break,
		// so that a line of many URLs is escaped in one pass.
		if k := strings.LastIndexAny(s[last:u[0]], "\r\n"); k >= 0 {
			line = last + k + 1
		}
		url := s[u[0]:u[1]]
		if linkCut(url) < len(url) || cutShort(url, whole) {
			// Renderers link a bare URL up to white space: a link that
			// ends before (at "」", "»", "。") is written as an autolink,
			// and so is any that follows it there; so is a URL of whole
			// that a renderer would end before its final "." or ")".
			written := 0
			for _, l := range LinkSpansWhole(url, whole...) {
				escapeText(&b, url[written:l[0]], false)
				b.WriteString(autolink(url[l[0]:l[1]]))
				written = l[1]
			}
			escapeText(&b, url[written:], false)
		} else if link := url[:linkEnd(url)]; readsAsMarkdown(link) || reference.MatchString(url) || indented(s[line:u[0]]) {
			b.WriteString(autolink(link))
			escapeText(&b, url[len(link):], false)
		} else {
			b.WriteString(url)
		}
		last = u[1]
	}
	escapeText(&b, s[last:], last == 0)
	return b.String()
}

// cutShort reports whether url, a URLSpans span, shows a URL of whole
// at the start of a link that LinkSpans ends before that URL's end.
func cutShort(url string, whole []string) bool {
	for _, w := range whole {
		if w != "" && strings.Contains(url, w) {
			want := LinkSpansWhole(url, whole...)
			got := LinkSpans(url)
			for i := range want {
				if i >= len(got) || want[i][1] != got[i][1] {
					return true
				}
			}
			return false
		}
	}
	return false
}

// indented reports whether before, what precedes a URL on its line, is
// indentation alone: written as no-break spaces (see escapeText), or given
// so, after which GitHub-flavoured markdown links no bare URL, as it links
// one only after white space or at the start of a line.
func indented(before string) bool {
	return before != "" && strings.Trim(before, " \t"+noBreakSpace) == ""
}

// reference matches what CommonMark reads as a character reference
// (CommonMark 0.31.2, 2.5): "&" and an entity's name, or "#" and 1-7
// decimal or "#x" and 1-6 hex digits, then ";". Any name matches, not
// only HTML's: in CommonMark, escaping one more "&" changes no link.
var reference = regexp.MustCompile(`&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)

// autolink returns url as a CommonMark autolink, "<url>", whose link and
// text are url as is. Backslash escapes do not work in one, but character
// references do ("recognized in any context besides code spans or code
// blocks, including URLs", CommonMark 0.31.2, 2.5; cmark decodes them in
// autolinks): an "&" that would start one is written "&amp;". Other "&"
// (a query's "&b=2") stay, for renderers that read no reference there.
// url must hold no white space, "<" or ">" (see URLSpans).
func autolink(url string) string {
	return "<" + reference.ReplaceAllStringFunc(url, func(ref string) string { return "&amp;" + ref[1:] }) + ">"
}

// readsAsMarkdown reports whether CommonMark would read some of URL url as
// formatting: brackets (a link), "*", "`", "~", "\\", or an "_" that is not
// between two letters, digits or underscores (which cannot start or end
// emphasis).
func readsAsMarkdown(url string) bool {
	if strings.ContainsAny(url, "[]*`~\\") {
		return true
	}
	word := func(c byte) bool {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for i := 1; i < len(url); i++ {
		if url[i] == '_' && (i+1 == len(url) || !word(url[i-1]) || !word(url[i+1])) {
			return true
		}
	}
	return false
}

// escapeText writes s escaped to b; lineStart says whether s begins a
// line. The indentation that begins a line is written as no-break spaces,
// one per column (a tab reaching the next multiple of four): CommonMark
// reads four columns of spaces or tabs after a blank line as an indented
// code block, which shows every escape's backslash and no formatting, and
// drops the indentation of a paragraph's lines; a no-break space is no
// indentation to it, and looks the same.
func escapeText(b *strings.Builder, s string, lineStart bool) {
	col := 0 // the column of the indentation written so far, at lineStart
	// digits counts the digits that follow the indentation of the line,
	// while the line holds nothing else (a "1" before a '.' or ')' that
	// makes an ordered list item); -1 once it holds something else, or
	// when s does not begin a line and has not reached its next one.
	digits := -1
	if lineStart {
		digits = 0
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if lineStart && (ch == ' ' || ch == '\t') {
			n := 1
			if ch == '\t' {
				n = tabWidth - col%tabWidth
			}
			col += n
			b.WriteString(strings.Repeat(noBreakSpace, n))
			continue
		}
		switch {
		case strings.IndexByte("\\`*_~[]<>|&", ch) >= 0:
			b.WriteByte('\\')
		case lineStart && strings.IndexByte("#+-=", ch) >= 0:
			b.WriteByte('\\')
		case (ch == '.' || ch == ')') && digits > 0:
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
		switch {
		case ch == '\n':
			lineStart, col, digits = true, 0, 0
			continue
		case '0' <= ch && ch <= '9':
			if digits >= 0 {
				digits++
			}
		default:
			digits = -1
		}
		lineStart = false
	}
}

// tabWidth is CommonMark's tab stop; noBreakSpace stands for a column of
// indentation.
const (
	tabWidth     = 4
	noBreakSpace = "\u00a0"
)
