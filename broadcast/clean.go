package broadcast

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Clean returns u with its text made the same for every channel: terminal
// escape sequences (ANSI colours, cursor moves, OSC titles and links pasted
// from a terminal), IRC colour codes with their colours, and every other
// control character, and Unicode's noncharacters (U+FFFE, U+FFFF, …), are removed from Title,
// Body, Advice, Component names and Overrides. Body, Advice and Overrides
// keep line breaks (CR LF and CR become LF) and tabs; Title and Component
// names, which are one line, get a space for each line break or tab. A Body
// or Advice that shows nothing (see Blank: white space and format
// characters only) becomes empty. An update whose Status
// closes its incident or maintenance (see Status.Closes) loses its
// NextUpdate: no channel then says "Next update by …" under "Resolved".
//
// Validate rejects what cannot be cleaned (invalid UTF-8, NUL). The
// Broadcaster cleans every update before channels see it (see WithDefaults),
// so the X post, the e-mail, the IRC line and the webhook payload all carry
// the same text. Clean does not modify u.
func (u Update) Clean() Update {
	u.Title = cleanText(u.Title, true)
	u.Body = cleanText(u.Body, false)
	if Blank(u.Body) {
		u.Body = ""
	}
	if u.Status.Closes() {
		u.NextUpdate = time.Time{}
	}
	u.Advice = cleanText(u.Advice, false)
	if Blank(u.Advice) {
		u.Advice = ""
	}
	// Components and Overrides are shared with the caller: copy them only
	// when something in them changes.
	if slices.ContainsFunc(u.Components, func(c Component) bool { return needsCleaning(c.Name, true) }) {
		u.Components = slices.Clone(u.Components)
		for i := range u.Components {
			u.Components[i].Name = cleanText(u.Components[i].Name, true)
		}
	}
	for _, v := range u.Overrides {
		if needsCleaning(v, false) {
			os := make(map[string]string, len(u.Overrides))
			for k, v := range u.Overrides {
				os[k] = cleanText(v, false)
			}
			u.Overrides = os
			break
		}
	}
	return u
}

// cleanText removes escape sequences and control characters from s. It
// returns s itself when there is nothing to remove, which is the common case.
func cleanText(s string, oneLine bool) string {
	if !needsCleaning(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b || r == 0x9b: // ESC, or the one-character CSI
			i += escapeLen(s[i:])
			continue
		case r == 0x03 || r == 0x04: // an IRC colour code, with its colours
			i += colourLen(s[i:])
			continue
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++ // CR LF: the LF below
				continue
			}
			r = '\n'
		}
		switch {
		case (r == '\n' || r == '\t') && oneLine:
			b.WriteByte(' ')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == utf8.RuneError && n == 1:
			b.WriteRune(r) // Validate rejects it; never let two bytes join
		case !dropped(r):
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsCleaning(s string, oneLine bool) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if oneLine {
				return true
			}
		case dropped(r) || r == utf8.RuneError: // CR, ESC, C1 and the rest
			return true
		}
	}
	return false
}

// dropped reports what Clean removes, escape sequences apart: control
// characters, and Unicode's noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF
// and their like in every plane), which no text may carry in HTML, XML or
// a platform's post (the status page wrote them into its HTML as they
// were, a parse error).
func dropped(r rune) bool {
	return isControl(r) || r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe
}

// isControl reports the C0 and C1 control characters and DEL.
func isControl(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f
}

// escapeLen returns the length of the escape sequence s starts with (s[0]
// is ESC, or s starts with U+009B): CSI ("ESC [" or U+009B, parameters, a
// final byte), OSC, DCS, SOS, PM and APC strings (up to BEL or "ESC \"), or
// ESC and one more character. An unterminated sequence runs to the end.
func escapeLen(s string) int {
	i := 1
	if s[0] != 0x1b {
		i = 2 // U+009B is two bytes in UTF-8
	} else if len(s) == 1 {
		return 1
	} else {
		switch s[1] {
		case '[':
			i = 2
		case ']', 'P', 'X', '^', '_':
			return 2 + stringLen(s[2:])
		default:
			_, n := utf8.DecodeRuneInString(s[1:])
			return 1 + n
		}
	}
	// CSI: parameter and intermediate bytes 0x20–0x3f, then one final byte
	// 0x40–0x7e.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// colourLen returns the length of the IRC colour code s starts with:
// \x03 with a foreground of one or two digits and a background after a
// comma, or \x04 with six hex digits for each
// (https://modern.ircdocs.horse/formatting#color). Its colours would show
// as text once the code is gone.
func colourLen(s string) int {
	digit := func(b byte) bool { return '0' <= b && b <= '9' }
	least, most := 1, 2
	if s[0] == 0x04 {
		digit = func(b byte) bool { return '0' <= b && b <= '9' || 'a' <= b|0x20 && b|0x20 <= 'f' }
		least, most = 6, 6
	}
	colour := func(i int) int { // the end of a colour at i, or i for none
		n := 0
		for n < most && i+n < len(s) && digit(s[i+n]) {
			n++
		}
		if n < least {
			return i
		}
		return i + n
	}
	i := colour(1)
	if i > 1 && i < len(s) && s[i] == ',' {
		if j := colour(i + 1); j > i+1 {
			i = j
		}
	}
	return i
}

// stringLen returns the length of a control string's body and terminator:
// up to and including BEL or ST ("ESC \"), or all of s.
func stringLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		}
	}
	return len(s)
}
