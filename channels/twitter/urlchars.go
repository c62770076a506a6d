package twitter

import (
	"slices"
	"strings"
)

// The character classes of twitter-text's URL expression. It is matched
// ignoring case without JavaScript's Unicode flag: a character is in a
// class when its upper case (by JavaScript's rule) is that of a member, so
// a few letters outside a class's ranges match it too (foldsIntoLatin and
// foldsIntoCyrillic; TestFoldExtras derives them from Unicode's case data).

// isHostChar reports whether c may be in a domain label: anything but
// ASCII punctuation (except '"' and '`'), white space, U+FEFF, U+FFFE,
// U+FFFF and direction marks.
func isHostChar(c uint16) bool {
	switch {
	case c < 0x80:
		return asciiHost[c]
	case c == 0x85, c == 0xA0, c == 0x1680, c == 0x180E, c >= 0x2000 && c <= 0x200A,
		c == 0x2028, c == 0x2029, c == 0x202F, c == 0x205F, c == 0x3000, // white space
		c == 0xFEFF, c == 0xFFFE, c == 0xFFFF, // not allowed in a post
		c >= 0x202A && c <= 0x202E, c == 0x061C, c == 0x200E, c == 0x200F, c >= 0x2066 && c <= 0x2069: // direction
		return false
	}
	return true
}

// hostPunct is the ASCII punctuation that ends a domain label.
const hostPunct = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"

// The ASCII members of the classes below, looked up rather than searched
// for in their strings: the matcher asks about every character of a text.
var (
	asciiHost = asciiClass(func(c byte) bool {
		return (c < 0x09 || c > 0x0D) && c != ' ' && !strings.ContainsRune(hostPunct, rune(c))
	})
	asciiPath     = asciiClass(func(c byte) bool { return isAlnum(c) || strings.ContainsRune("!*';:=+,.$/%#[]-_~@|&", rune(c)) })
	asciiPathEnd  = asciiClass(func(c byte) bool { return isAlnum(c) || strings.ContainsRune("+-=_#/", rune(c)) })
	asciiQuery    = asciiClass(func(c byte) bool { return isAlnum(c) || strings.ContainsRune("!?*'@();:&=+$/%#[]-_.,~|", rune(c)) })
	asciiQueryEnd = asciiClass(func(c byte) bool { return isAlnum(c) || strings.ContainsRune("-_&=#/", rune(c)) })
)

// asciiClass returns the table of the ASCII characters in a class.
func asciiClass(in func(c byte) bool) (t [0x80]bool) {
	for c := range t {
		t[c] = in(byte(c))
	}
	return t
}

func isAlnum(c byte) bool { return isAlnum16(uint16(c)) }

// precedesURL reports whether a link may start right after c.
func precedesURL(c uint16) bool {
	switch {
	case isAlnum16(c), c == '@', c == '$', c == '#', c == 0xFF20, c == 0xFF03, // ＠ ＃
		c == 0xFEFF, c == 0xFFFE, c == 0xFFFF:
		return false
	}
	return true
}

// isPathChar reports whether c may be in a URL path.
func isPathChar(c uint16) bool {
	if c < 0x80 {
		return asciiPath[c]
	}
	return c == 0x2013 || isLatinAccent(c) || isCyrillic(c)
}

// isPathEnd reports whether a URL path may end with c.
func isPathEnd(c uint16) bool {
	if c < 0x80 {
		return asciiPathEnd[c]
	}
	return isLatinAccent(c) || isCyrillic(c)
}

// isQueryChar reports whether c may be in a URL query.
func isQueryChar(c uint16) bool {
	return c < 0x80 && asciiQuery[c]
}

// isQueryEnd reports whether a URL query may end with c.
func isQueryEnd(c uint16) bool {
	return c < 0x80 && asciiQueryEnd[c]
}

// isASCIILabelChar reports whether c may be in a label of a domain that
// twitter-text links without a scheme.
func isASCIILabelChar(c uint16) bool {
	if c < 0x80 {
		return isAlnum16(c) || c == '-'
	}
	return isLatinAccent(c)
}

// isLatinAccent reports whether c is one of twitter-text's Latin letters
// with accents (and combining marks), or folds into one.
func isLatinAccent(c uint16) bool {
	switch {
	case c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7,
		c >= 0x100 && c <= 0x24F, c >= 0x300 && c <= 0x36F, c >= 0x1E00 && c <= 0x1EFF:
		return true
	}
	return strings.ContainsRune("\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB", rune(c)) ||
		strings.ContainsRune(foldsIntoLatin, rune(c))
}

// isCyrillic reports whether c is in the Cyrillic block or folds into it.
func isCyrillic(c uint16) bool {
	return c >= 0x400 && c <= 0x4FF || strings.ContainsRune(foldsIntoCyrillic, rune(c))
}

// foldsIntoLatin and foldsIntoCyrillic are the characters outside
// isLatinAccent's and isCyrillic's ranges whose upper case is that of a
// character inside them: U+0345 and the Greek iota share U+0399, "ɠ"
// (U+0260) has "Ɠ" (U+0193), and U+A7DC (Unicode 16) has U+019B.
const (
	foldsIntoLatin    = "\u0260\u0269\u0275\u0280\u0283\u0288\u028A\u028C\u0292\u0399\u03B9\u1FBE\u2C65\u2C66\u2C7E\u2C7F\uA7DC"
	foldsIntoCyrillic = "\u1C80\u1C81\u1C82\u1C83\u1C84\u1C85\u1C86\u1C87"
)

// pathEnd returns where the path starting with "/" at i ends: after the
// last character a path may end with, or after the last balanced
// parenthesis, in the run of path characters and parentheses.
func (t *units) pathEnd(i int) int {
	end := i + 1
	for j := i; j < len(t.u); {
		c := t.u[j]
		switch {
		case isPathChar(c):
			j++
			if isPathEnd(c) {
				end = j
			}
		case c == '(':
			b := t.parenEnd(j)
			if b < 0 {
				return end
			}
			j, end = b, b
		default:
			return end
		}
	}
	return end
}

// parenEnd returns the end of the parenthesised path part at i, with up to
// one nested pair, or -1.
func (t *units) parenEnd(i int) int {
	j := t.pathRun(i + 1)
	if j > i+1 && j < len(t.u) && t.u[j] == ')' {
		return j + 1
	}
	if j >= len(t.u) || t.u[j] != '(' {
		return -1
	}
	k := t.pathRun(j + 1)
	if k == j+1 || k >= len(t.u) || t.u[k] != ')' {
		return -1
	}
	k = t.pathRun(k + 1)
	if k >= len(t.u) || t.u[k] != ')' {
		return -1
	}
	return k + 1
}

// pathRun returns the end of the run of path characters at i.
func (t *units) pathRun(i int) int {
	for i < len(t.u) && isPathChar(t.u[i]) {
		i++
	}
	return i
}

// queryEnd returns where the query starting with "?" at i ends, by lim:
// after its last character a query may end with, or -1 when there is none.
func (t *units) queryEnd(i, lim int) int {
	end := -1
	for j := i + 1; j < lim && isQueryChar(t.u[j]); j++ {
		if isQueryEnd(t.u[j]) {
			end = j + 1
		}
	}
	return end
}

func isDigit16(c uint16) bool { return c >= '0' && c <= '9' }
func isAlnum16(c uint16) bool {
	return isDigit16(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isPunyChar(c uint16) bool { return isAlnum16(c) || c == '-' }

// equalFoldASCII reports whether u is s, ignoring ASCII case.
func equalFoldASCII(u []uint16, s string) bool {
	if len(u) != len(s) {
		return false
	}
	for i, c := range u {
		if c >= 0x80 || lowerASCII(byte(c)) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hasPrefix16(u []uint16, s string) bool {
	if len(u) < len(s) {
		return false
	}
	for i := range len(s) {
		if u[i] != uint16(s[i]) {
			return false
		}
	}
	return true
}

func indexUnit(u []uint16, c uint16) int {
	for i, x := range u {
		if x == c {
			return i
		}
	}
	return -1
}

// indexUnits returns the index of the first sub in u, or -1.
func indexUnits(u, sub []uint16) int {
	for i := 0; i+len(sub) <= len(u); i++ {
		if slices.Equal(u[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
