package templates

import "strings"

// escapeMarkdown backslash-escapes the characters that CommonMark (and the
// chat tools that follow it: Discord, Matrix, Mattermost) would read as
// formatting, except inside URLs, which must stay clickable: "<" and ">"
// (HTML tags, autolinks) and "&" too, which would start an entity ("&lt;",
// "&#60;") that the HTML these tools render shows as another character.
// Characters that only matter at the start of a line ("#", "+", "-", "1.",
// "1)") are escaped there.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	last := 0
	for _, u := range URLSpans(s) {
		escapeText(&b, s[last:u[0]], last == 0 || s[last-1] == '\n')
		b.WriteString(s[u[0]:u[1]])
		last = u[1]
	}
	escapeText(&b, s[last:], last == 0)
	return b.String()
}

func escapeText(b *strings.Builder, s string, lineStart bool) {
	chunkAtLineStart := lineStart
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case strings.IndexByte("\\`*_~[]<>|&", ch) >= 0:
			b.WriteByte('\\')
		case lineStart && strings.IndexByte("#+-=", ch) >= 0:
			b.WriteByte('\\')
		case (ch == '.' || ch == ')') && orderedListMarker(s[:i], chunkAtLineStart):
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
		if ch == '\n' {
			lineStart = true
		} else if ch != ' ' && ch != '\t' {
			lineStart = false
		}
	}
}

// orderedListMarker reports whether the text before a '.' or ')' is a line
// that holds only digits (and indentation), as in "1." or "1)"; CommonMark
// reads either as an ordered list item. chunkAtLineStart says
// whether the text began a line.
func orderedListMarker(before string, chunkAtLineStart bool) bool {
	line := before[strings.LastIndexByte(before, '\n')+1:]
	if !chunkAtLineStart && !strings.Contains(before, "\n") {
		return false
	}
	digits := strings.TrimLeft(line, " \t")
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}
