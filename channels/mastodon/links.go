package mastodon

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/outagecast/outagecast/templates"
)

// What Mastodon takes as a link, and so counts as characters_reserved_per_url,
// is what its copy of twitter-text's extractor finds, with Mastodon's own
// rules for paths and queries: a URL with its scheme, of at most 4,096
// characters, not right after an ASCII letter or digit, whose host is a
// domain of labels of at most 63 characters ending in a top-level domain
// that twitter-text 3.1.0 lists (its list of 2019), then an optional port
// of digits, a path ending in a letter, a digit or one of "-_/#+", and a
// query ending in a letter, a digit or one of "_&=#/-". Whatever of the URL
// is not in the link counts as text.
//
// urlCost counts a URL exactly that way when it can tell what Mastodon
// takes, and otherwise (an unusual top-level domain, a host with characters
// outside ASCII, a host followed by "@", t.co links, which have rules of
// their own) as much as any link Mastodon could take or none at all would
// count: never less than Mastodon does.

// urlCost is what the URL u, found in a text after the character prev,
// counts at most, with each link counting perURL.
func urlCost(prev rune, u string, perURL int) int {
	whole := templates.Graphemes(u)
	if !mayLinkAfter(prev) {
		return max(whole, perURL)
	}
	start := strings.Index(u, "://") + len("://") // URLSpans finds only http(s)://
	hostEnd := start
	for hostEnd < len(u) && isHostByte(u[hostEnd]) {
		hostEnd++
	}
	host := strings.ToLower(u[start:hostEnd])
	endsHost := hostEnd == len(u) || strings.IndexByte(":/?#", u[hostEnd]) >= 0
	switch {
	case endsHost && !strings.Contains(host, "."):
		return max(whole, perURL) // no domain: no link
	case endsHost && knownDomain(host) && host != "t.co": // t.co links have rules of their own
		end := linkEnd(u, hostEnd)
		if end > maxURL {
			return max(whole, perURL) // too long to be a link
		}
		return perURL + templates.Graphemes(u[end:])
	}
	// Mastodon may take a link here or not: any link it takes starts at the
	// scheme and holds a domain of four characters at least ("a.co").
	return max(whole, perURL+templates.Graphemes(u[min(len(u), start+4):]))
}

// maxURL is the length of the longest URL twitter-text takes as a link.
const maxURL = 4096

// mayLinkAfter reports whether a URL after the character prev (utf8.RuneError
// at the start of the text) can be a link, as twitter-text has it: not after
// an ASCII letter or digit, "@", "$", "#", the full-width "＠" and "＃", or a
// character twitter-text refuses. After any other letter (as "詳細は") it is
// one.
func mayLinkAfter(prev rune) bool {
	if prev == utf8.RuneError {
		return true
	}
	return !(prev < utf8.RuneSelf && isAlnum(byte(prev))) && !strings.ContainsRune("@$#＠＃\uFFFE\uFEFF\uFFFF", prev)
}

// isHostByte reports whether c can be in a domain of plain ASCII.
func isHostByte(c byte) bool {
	return c < utf8.RuneSelf && (isAlnum(c) || c == '.' || c == '-' || c == '_')
}

func isAlnum(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9'
}

// knownDomain reports whether host, in lower case, is a domain twitter-text
// takes whole: labels of at most 63 letters, digits, "-" and (but for the last two)
// "_", each starting and ending with a letter or a digit, the last a
// top-level domain twitter-text 3.1.0 lists.
func knownDomain(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if l == "" || len(l) > 63 || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) || i >= len(labels)-2 && strings.Contains(l, "_") {
			return false
		}
	}
	return knownTLD(labels[len(labels)-1])
}

// newerTLDs are the top-level domains of the ICANN section of the Public
// Suffix List (golang.org/x/net/publicsuffix, at the version go.mod names)
// that twitter-text 3.1.0 does not list, but for those in Punycode, which
// twitter-text takes anyway. A domain in one of them is not a link for
// Mastodon. Computed by comparing the two lists; a newer golang.org/x/net
// may add some, which the package's tests look for in its known cases.
var newerTLDs = map[string]bool{"amazon": true, "kids": true, "music": true, "spa": true}

// knownTLD reports whether tld, in lower case, is a top-level domain
// twitter-text 3.1.0 lists: any in Punycode ("xn--…"), and those of the
// ICANN section of the Public Suffix List but newerTLDs. Domains retired
// since (as .an) are in twitter-text's list but not here: a URL in them
// counts as one Mastodon may or may not take as a link.
func knownTLD(tld string) bool {
	if strings.HasPrefix(tld, "xn--") {
		return true
	}
	if len(tld) < 2 || strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") != "" || newerTLDs[tld] {
		return false
	}
	_, icann := publicsuffix.PublicSuffix("x." + tld)
	return icann
}

// linkEnd returns where the link ends in u, whose domain ends at i: after
// a port of digits, a path up to its last letter, digit or one of "-_/#+",
// and a query up to its last letter, digit or one of "_&=#/-". A path or a
// query runs over the plain ASCII characters of URLs; what follows counts
// as text, which is never less than Mastodon's count, whose paths run
// further.
func linkEnd(u string, i int) int {
	end := i
	if i < len(u) && u[i] == ':' {
		j := i + 1
		for j < len(u) && '0' <= u[j] && u[j] <= '9' {
			j++
		}
		if j == i+1 {
			return end // no port: the link ends with the domain
		}
		end, i = j, j
	}
	if i < len(u) && u[i] == '/' {
		j := i + 1
		end = j // a bare "/" is a path
		for ; j < len(u) && isURLByte(u[j]) && u[j] != '?'; j++ {
			if isAlnum(u[j]) || strings.IndexByte("-_/#+", u[j]) >= 0 {
				end = j + 1
			}
		}
		if end != j {
			return end // a query must follow the path's last character
		}
		i = j
	}
	if i == end && i < len(u) && u[i] == '?' {
		for j := i + 1; j < len(u) && isURLByte(u[j]); j++ {
			if isAlnum(u[j]) || strings.IndexByte("_&=#/-", u[j]) >= 0 {
				end = j + 1
			}
		}
	}
	return end
}

// isURLByte reports whether c is one of the plain ASCII characters every
// URL extractor keeps in a path or a query.
func isURLByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~:/?#[]@!$&'*+,;=%", c) >= 0
}
