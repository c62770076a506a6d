package twitter

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// urlSpan is a link X would wrap in t.co: the bytes s[start:end]. A bare
// link has no scheme ("status.example.com/inc/1").
type urlSpan struct {
	start, end int
	bare       bool
}

// findURLs returns the links in s, in order: http and https URLs anywhere
// except right after a letter or digit, with a valid host (a domain whose
// labels are at most 63 characters, Punycode-encoded when not ASCII, an
// IPv4 or a bracketed IPv6 address); and bare ASCII domain names that start
// a white-space delimited word, after any opening bracket or quote.
// Trailing punctuation ("see https://x.com/a.") is not part of a link.
func findURLs(s string) []urlSpan {
	var out []urlSpan
	for at := 0; at < len(s); {
		start := at + spaceLen(s[at:])
		end := start + wordLen(s[start:])
		out = appendWordURLs(out, s[start:end], start)
		at = end
	}
	return out
}

// appendWordURLs appends the links in word, which is at offset off of the
// text.
func appendWordURLs(out []urlSpan, word string, off int) []urlSpan {
	found := false
	for i := 0; i < len(word); i++ {
		if i > 0 && isWordByte(word[i-1]) || !hasScheme(word[i:]) {
			continue
		}
		if n := schemeURLLen(word[i:]); n > 0 {
			out = append(out, urlSpan{start: off + i, end: off + i + n})
			found = true
			i += n - 1
		}
	}
	if found {
		return out
	}
	lead := openingLen(word)
	if n := bareURLLen(word[lead:]); n > 0 {
		out = append(out, urlSpan{start: off + lead, end: off + lead + n, bare: true})
	}
	return out
}

// schemeURLLen returns the length of the link at the start of t, which
// starts with "http://" or "https://", or 0 when it is not a valid link.
func schemeURLLen(t string) int {
	n := strings.Index(t, "://") + len("://")
	if at := userinfoLen(t[n:]); at > 0 {
		n += at
	}
	var host string
	if strings.HasPrefix(t[n:], "[") {
		end := strings.IndexByte(t[n:], ']')
		if end < 0 {
			return 0
		}
		host = t[n : n+end+1]
		if a, err := netip.ParseAddr(host[1 : len(host)-1]); err != nil || !a.Is6() {
			return 0
		}
	} else {
		host = cutTLD(trimDots(t[n : n+hostLen(t[n:], true)]))
		if !validHost(host, true) {
			return 0
		}
	}
	n += len(host)
	return n + tailLen(t[n:])
}

// bareURLLen returns the length of the link without scheme at the start of
// t, or 0 when there is none.
func bareURLLen(t string) int {
	host := trimDots(t[:hostLen(t, false)])
	if !validHost(host, false) || isIPv4(host) {
		return 0
	}
	return len(host) + tailLen(t[len(host):])
}

// tailLen returns the length of the port, path, query and fragment at the
// start of t, without trailing punctuation.
func tailLen(t string) int {
	n := 0
	if len(t) > 1 && t[0] == ':' && isDigit(t[1]) {
		n = 1
		for n < len(t) && isDigit(t[n]) {
			n++
		}
	}
	if n < len(t) && strings.IndexByte("/?#", t[n]) >= 0 {
		n += trimURLEnd(t[n : n+pathLen(t[n:])])
	}
	return n
}

// userinfoLen returns the length of "user:password@" at the start of t, or
// 0.
func userinfoLen(t string) int {
	end := pathLen(t)
	if i := strings.IndexAny(t[:end], "/?#"); i >= 0 {
		end = i
	}
	return strings.LastIndexByte(t[:end], '@') + 1
}

// validHost reports whether host is a domain X links: two labels or more, of
// 1 to 63 characters without a leading or trailing hyphen, "_" only below
// the registered domain, an alphabetic (or Punycode) top-level domain. With
// idn, labels may be non-ASCII; their length is that of the Punycode form.
// An IPv4 address is valid too.
func validHost(host string, idn bool) bool {
	if isIPv4(host) {
		a, err := netip.ParseAddr(host)
		return err == nil && a.Is4()
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if !validLabel(l, idn, i < len(labels)-2) {
			return false
		}
	}
	return validTLD(labels[len(labels)-1])
}

func validLabel(l string, idn, sub bool) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	if !isASCII(l) {
		return idn && len("xn--")+len(punycode(strings.ToLower(l))) <= 63
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !isAlnum(c) && c != '-' && (c != '_' || !sub) {
			return false
		}
	}
	return len(l) <= 63
}

func validTLD(tld string) bool {
	if strings.HasPrefix(strings.ToLower(tld), "xn--") {
		return true
	}
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	ascii := isASCII(tld)
	for _, r := range tld {
		if !unicode.IsLetter(r) || ascii != (r < utf8.RuneSelf) {
			return false
		}
	}
	return true
}

// hostLen returns the length of the run of host name characters at the
// start of t: ASCII letters, digits, ".", "-" and "_", and with idn also
// non-ASCII characters other than white space and punctuation.
func hostLen(t string, idn bool) int {
	for i, r := range t {
		switch {
		case r < utf8.RuneSelf && (isAlnum(byte(r)) || r == '.' || r == '-' || r == '_'):
		case r >= utf8.RuneSelf && idn && !unicode.IsSpace(r) && !unicode.IsPunct(r):
		default:
			return i
		}
	}
	return len(t)
}

// pathLen returns the length of the run of characters a URL path, query or
// fragment may hold at the start of t: printable ASCII other than
// `"<>\^{|}` and the backquote, and non-ASCII letters, marks and digits.
func pathLen(t string) int {
	for i, r := range t {
		switch {
		case r > ' ' && r < utf8.RuneSelf && !strings.ContainsRune("\"<>\\^`{|}", r):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)):
		default:
			return i
		}
	}
	return len(t)
}

// trimURLEnd returns the length of u without trailing punctuation that ends
// the sentence rather than the URL, and without closing brackets that
// opened before the URL.
func trimURLEnd(u string) int {
	for u != "" {
		c := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'\"*", c) >= 0:
		case c == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case c == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		default:
			return len(u)
		}
		u = u[:len(u)-1]
	}
	return 0
}

// cutTLD ends an ASCII top-level domain where non-ASCII text follows it
// without a space: the link in "https://example.com日本語" is
// "https://example.com".
func cutTLD(host string) string {
	tld := host[strings.LastIndexByte(host, '.')+1:]
	if tld == "" || tld[0] >= utf8.RuneSelf {
		return host
	}
	if i := strings.IndexFunc(tld, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
		return host[:len(host)-len(tld)+i]
	}
	return host
}

func trimDots(host string) string { return strings.TrimRight(host, ".") }

// openingLen returns the length of the opening brackets and quotes at the
// start of word.
func openingLen(word string) int {
	for i, r := range word {
		if r != '"' && r != '\'' && !unicode.In(r, unicode.Ps, unicode.Pi) {
			return i
		}
	}
	return len(word)
}

func spaceLen(s string) int {
	for i, r := range s {
		if !unicode.IsSpace(r) {
			return i
		}
	}
	return len(s)
}

func wordLen(s string) int {
	for i, r := range s {
		if unicode.IsSpace(r) {
			return i
		}
	}
	return len(s)
}

func hasScheme(t string) bool {
	return len(t) >= 7 && strings.EqualFold(t[:7], "http://") ||
		len(t) >= 8 && strings.EqualFold(t[:8], "https://")
}

func isIPv4(host string) bool {
	return host != "" && strings.Trim(host, "0123456789.") == ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }
func isAlnum(c byte) bool    { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
