package telegram

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// telegramTags are the tags Telegram's HTML style takes.
var telegramTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "a": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true}

// parseHTML returns the text of Telegram HTML as readers see it. Like
// Telegram, it takes only Telegram's tags, properly nested, and the
// entities &lt; &gt; &amp; &quot; and numeric ones; unlike Telegram's
// lenient parser, it also refuses a bare ">" or "&", which Telegram's
// documentation says must be escaped.
func parseHTML(s string) (string, error) {
	var b strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			var err error
			if open, err = tag(open, s[i+1:i+end], i); err != nil {
				return "", err
			}
			i += end + 1
		case '&':
			n, text, err := entity(s[i:], i)
			if err != nil {
				return "", err
			}
			b.WriteString(text)
			i += n
		case '>':
			return "", fmt.Errorf("unescaped \">\" at byte offset %d", i)
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return b.String(), nil
}

// tag applies one tag to the stack of open tags.
func tag(open []string, t string, at int) ([]string, error) {
	if name, ok := strings.CutPrefix(t, "/"); ok {
		if len(open) == 0 || open[len(open)-1] != strings.ToLower(name) {
			return nil, fmt.Errorf("unmatched end tag at byte offset %d", at)
		}
		return open[:len(open)-1], nil
	}
	name, _, _ := strings.Cut(t, " ")
	name = strings.ToLower(name)
	if !telegramTags[name] {
		return nil, fmt.Errorf("unsupported start tag \"%s\" at byte offset %d", name, at)
	}
	return append(open, name), nil
}

// entity reads the HTML entity at the start of s.
func entity(s string, at int) (int, string, error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 10 {
		return 0, "", fmt.Errorf("unescaped \"&\" at byte offset %d", at)
	}
	name := s[1:end]
	named := map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}
	if text, ok := named[name]; ok {
		return end + 1, text, nil
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(num, "x"); ok {
			num, base = hex, 16
		}
		if r, err := strconv.ParseInt(num, base, 32); err == nil && utf8.ValidRune(rune(r)) {
			return end + 1, string(rune(r)), nil
		}
	}
	return 0, "", fmt.Errorf("unsupported HTML entity \"&%s;\" at byte offset %d", name, at)
}
