// Package credquery finds a credential in a URL's query (or in a fragment
// written as one): a parameter named as a credential (token,
// access_token, apiKey, sig, X-Amz-Signature, secret, password, auth, …)
// with a value. A URL shown publicly must hold none: every reader would
// get it. The Broadcaster's check of Update.URL and every channel's check
// of a URL it shows (an avatar, a status page's links) use it, so that one
// rule decides what counts as such a URL.
package credquery

import (
	"net/url"
	"strings"
	"unicode"
)

// Problem is the problem of a URL shown publicly (an avatar image, a link
// on a public page) whose query holds a parameter named as a credential,
// for an error about the field that holds it; it quotes nothing of the
// URL.
const Problem = "must not hold credentials (a query parameter named as one: token, key, sig, secret, password, auth…), as it is shown publicly"

// Holds reports whether rawQuery, a URL's query as written,
// has a parameter named as a credential (token, access_token, key,
// apiKey, accesskey, sig, X-Amz-Signature, secret, password, auth,
// session, …) with a value: no credential belongs in a URL that is shown
// publicly. Parameters are separated by "&" or ";" (which servers of the
// old CGI convention read as one), and a name counts as written and with
// its %-escapes decoded, in any case. The name's words count, not its
// letters: "keyword" and "author" are no credentials.
func Holds(rawQuery string) bool {
	for kv := range strings.FieldsFuncSeq(rawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(kv, "=")
		if v == "" {
			continue
		}
		if name, err := url.QueryUnescape(k); err == nil {
			k = name
		}
		if Named(k) {
			return true
		}
	}
	return false
}

// Named reports whether name, a parameter's or a header's name, names a
// credential by one of its words (see Holds): "X-Api-Key",
// "Authorization", "access_token", not "X-Source".
func Named(name string) bool {
	for _, w := range words(name) {
		if credentialWord(w) {
			return true
		}
	}
	return false
}

// HoldsFragment is Holds for a URL's fragment as written: a fragment
// written as a query ("#access_token=…&token_type=bearer", as OAuth's
// implicit flow writes it), or as a path of a single-page application
// followed by one ("#/incidents/42?apiKey=…"), whose path's words are no
// parameter's name ("#/components/auth?tab=history" holds none).
func HoldsFragment(fragment string) bool {
	path, query, ok := strings.Cut(fragment, "?")
	switch {
	case !ok:
		return Holds(fragment)
	case strings.Contains(path, "="): // "#a=1?token=…": both are queries
		return Holds(path) || Holds(query)
	}
	return Holds(query)
}

// credentialWord reports a word, in lower case, of a parameter name that
// names a credential (a header's name too: a cookie carries a session). A name written as one word ("accesskey",
// "secretkey") counts by its ending, but "key" alone ends too many words
// ("monkey", "hotkey") to count so.
func credentialWord(w string) bool {
	switch w {
	case "key", "sig", "pass", "pwd", "auth", "authorization", "jwt", "session", "sessid", "cookie":
		return true
	}
	for _, suffix := range []string{"token", "secret", "password", "passwd", "signature", "apikey", "credential", "credentials",
		"accesskey", "secretkey", "privatekey", "signingkey", "authkey", "sessionkey", "sessionid", "sessid"} {
		if strings.HasSuffix(w, suffix) {
			return true
		}
	}
	return false
}

// words splits name into its words, in lower case: at every character
// that is not a letter or a digit, and where a lower-case letter is
// followed by an upper-case one ("apiKey").
func words(name string) []string {
	var out []string
	var b strings.Builder
	prevLower := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
		prevLower = unicode.IsLower(r)
	}
	flush()
	return out
}
