// Package credvalue tells the example programs' flag values that may hold
// credentials, a URL or a connection string given where a file's path
// belongs (-config, -state) or a flag given twice, so that a program's
// error names the flag without quoting the value; and it takes the
// credentials out of a post's link (Link) before a program shows it.
package credvalue

import (
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/redact"
)

// URL reports whether s is written as a URL ("postgres://user:pass@db"),
// which may hold a user and password.
func URL(s string) bool { return strings.Contains(s, "://") }

// NotAPath returns what a program says of s given where a file's path
// belongs, when s is a URL or key=value settings that may hold
// credentials ("a URL (not quoted: it may hold credentials)"), so that the
// flag's error neither quotes s nor opens it as a file, whose error would;
// "" for any other s. A path with a "=" in a directory's name
// ("/data/token=…/state.db", `C:\keys\a=b\state.db`) is a path: what
// precedes its first "=" holds a directory separator, which no key of a
// connection string does (libpq's key words are letters and "_"). A
// relative path whose first directory's name holds the "="
// ("token=…/state.db") cannot be told from a setting whose value holds a
// "/": what is said of one word holding a "/" or a backslash says to write such a
// path starting with "./".
func NotAPath(s string) string {
	switch {
	case URL(s):
		return "a URL (not quoted: it may hold credentials)"
	case Settings(s) && !pathKey(s):
		if !strings.ContainsAny(strings.Trim(s, settingSpaces), settingSpaces) && strings.ContainsAny(s, `/\`) {
			return `key=value settings (not quoted: they may hold credentials; a path whose first directory's name holds a "=" starts with ./, as in ./name=value/state.db)`
		}
		return "key=value settings (not quoted: they may hold credentials)"
	}
	return ""
}

// pathKey reports whether what precedes the first "=" of s holds a "/" or
// a "\", as a path's directories do and no key of settings does.
func pathKey(s string) bool {
	key, _, _ := strings.Cut(s, "=")
	return strings.ContainsAny(key, `/\`)
}

// Settings reports whether s, read as key=value settings
// separated by spaces (a value in single quotes may hold spaces, and a
// backslash escapes the character after it, as libpq and pgx read a
// connection string), holds a value that redact.Redactor.WithURL takes
// for a credential of the query of a URL of its own: that of a key named
// like a credential (password, sslpassword, api_token, …; four
// characters or more), or one that looks like a token. A password
// shorter than that is left in text by redact everywhere, and so here.
func Settings(s string) bool {
	if !strings.Contains(s, "=") {
		return false
	}
	var query []string
	var values []string
	for s = strings.TrimLeft(s, settingSpaces); s != ""; {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := strings.Trim(s[:eq], settingSpaces)
		s = strings.TrimLeft(s[eq+1:], settingSpaces)
		quoted := strings.HasPrefix(s, "'")
		if quoted {
			s = s[1:]
		}
		var v strings.Builder
		for ; s != ""; s = s[1:] {
			if quoted && s[0] == '\'' || !quoted && strings.IndexByte(settingSpaces, s[0]) >= 0 {
				break
			}
			if s[0] == '\\' && len(s) > 1 {
				s = s[1:]
			}
			v.WriteByte(s[0])
		}
		if quoted && s != "" {
			s = s[1:] // the closing quote
		}
		s = strings.TrimLeft(s, settingSpaces)
		query = append(query, url.QueryEscape(key)+"="+url.QueryEscape(v.String()))
		values = append(values, v.String())
	}
	r := redact.NewRedactor().WithURL(redact.NewURL("?" + strings.Join(query, "&")))
	for _, v := range values {
		if r.String(v) != v {
			return true
		}
	}
	return false
}

// settingSpaces separate key=value settings, as pgx reads them.
const settingSpaces = " \t\n\r\v\f"

// Link returns link, a post's URL as a channel's receipt gives it, without
// credentials the configuration's secrets may not hold (a platform's
// answer may carry some), as the example programs answer and log it: without its user information, and with REDACTED for each query
// value that redact.Redactor.WithURL takes for a secret (of a parameter
// named like a credential, or that looks like a token), and for each such
// value of a fragment of name=value pairs (OAuth's implicit grant answers
// "#access_token=…"); a fragment without "=" is an anchor, left alone. A
// URL that does not parse, or whose user information a "/", "?" or "#"
// may have cut short (redact.ShowURL), is REDACTED: what in it is secret
// cannot be told. A link without credentials is returned as it is.
func Link(link string) string {
	u, err := url.Parse(link)
	switch {
	case link == "":
		return ""
	case err != nil, u.Host != "" && redact.ShowURL(link) == redact.Redacted:
		return redact.Redacted
	}
	changed := u.User != nil
	u.User = nil
	if u.RawQuery != "" {
		secrets := redact.NewRedactor().WithURL(redact.NewURL(link))
		if q, hid := hideValues(u.RawQuery, secrets, true); hid {
			u.RawQuery, changed = q, true
		}
	}
	if frag := u.EscapedFragment(); strings.Contains(frag, "=") {
		// Judged as the query of a URL of its own.
		secrets := redact.NewRedactor().WithURL(redact.NewURL("?" + frag))
		if f, hid := hideValues(frag, secrets, false); hid {
			plain, err := url.PathUnescape(f)
			if err != nil {
				return redact.Redacted
			}
			u.Fragment, u.RawFragment, changed = plain, f, true
		}
	}
	if !changed {
		return link
	}
	return u.String()
}

// hideValues returns raw, name=value pairs separated by "&", with REDACTED
// for each value secrets hides, and whether it hid one. bare says whether
// a part without "=" ("?TOKEN") is a value, as in a query.
func hideValues(raw string, secrets *redact.Redactor, bare bool) (string, bool) {
	hid := false
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok { // "?TOKEN": the key alone is the value
			if !bare {
				continue
			}
			k, v = "", k
		}
		if hidden := secrets.String(v); hidden != v {
			parts[i], hid = strings.TrimPrefix(k+"="+redact.Redacted, "="), true
		}
	}
	return strings.Join(parts, "&"), hid
}
