// Package urlcut finds what a "/", "?" or "#" in a URL's password, not
// %-escaped, leaves of the URL: such a character ends the authority, so
// url.Parse finds no user information, takes the user name for the host
// and the password's digits before the character for its port, and puts
// the rest of the password, its "@" and the real host in the path, query
// or fragment. A URL so cut still holds the password, unseen by a check
// of url.URL.User, and names the wrong host. The Broadcaster's check of
// Update.URL and every channel's check of its own URLs use it, so that one
// rule decides what counts as such a URL.
package urlcut

import (
	"fmt"
	"net/url"
	"strings"
)

// Problem returns what is wrong with u, for an error about the field that
// holds it, when u is a URL cut short as the package documentation says,
// and "" otherwise. Two forms show it, which no URL means otherwise: an
// empty port ("user:" of "user:?pa55w@host"), and a port followed by a
// path, query or fragment holding "@" as written ("user:7319" of
// "user:7319/pa55w@host"), where an "@" that belongs there is written %40.
// An "@" of a query parameter that own reports as the URL's own (given
// the parameter's name and value as written: an address, say) does not
// count; own may be nil. A URL with user information is never a problem
// here (callers refuse it on their own terms). The problem quotes nothing
// of u.
func Problem(u *url.URL, own func(rawKey, rawVal string) bool) string {
	if u.User != nil {
		return ""
	}
	if strings.HasSuffix(u.Host, ":") {
		return `port: empty (a "/", "?" or "#" in a password is written %2F, %3F or %23)`
	}
	if u.Port() == "" {
		return ""
	}
	part := ""
	switch {
	case strings.Contains(u.EscapedPath(), "@"):
		part = "path"
	case QueryHoldsAt(u.RawQuery, own):
		part = "query"
	case strings.Contains(u.EscapedFragment(), "@"):
		part = "fragment"
	default:
		return ""
	}
	return fmt.Sprintf(`port: followed by a %[1]s holding "@" (a "/", "?" or "#" in a password is written %%2F, %%3F or %%23; an "@" in the %[1]s, %%40)`, part)
}

// QueryHoldsAt reports whether a parameter of rawQuery, as written, holds
// an "@" that own (if not nil) does not report as the URL's own: the rest
// of a password and "@host", where a "?" in the password, not %-escaped,
// ended the authority.
func QueryHoldsAt(rawQuery string, own func(rawKey, rawVal string) bool) bool {
	for kv := range strings.SplitSeq(rawQuery, "&") {
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		if strings.Contains(kv, "@") && (own == nil || !own(rawKey, rawVal)) {
			return true
		}
	}
	return false
}
