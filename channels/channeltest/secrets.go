package channeltest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// AssertNoSecret checks that text contains none of secrets, in any of the
// encodings a program or a server echoing a request may give it:
//
//   - as is;
//   - hexadecimal, lower and upper case (fmt's %x and %X);
//   - base64, standard and URL alphabets, with and without padding, of the
//     secret alone and inside any longer credential, at each of the three
//     byte alignments: HTTP Basic "user:pass", SASL PLAIN and SMTP AUTH
//     PLAIN "\x00user\x00pass", XOAUTH2 (only the part of the encoding that
//     depends on the secret alone is looked for, and only when it is at
//     least 6 characters long, so that short secrets do not match by
//     chance);
//   - URL-escaped for a query (url.QueryEscape) and a path
//     (url.PathEscape), every byte but the unreserved ones escaped, each
//     with upper- and lower-case hex digits; and escaped for a query twice,
//     as a server quoting an escaped URL in a link writes it;
//   - JSON-escaped as encoders do it: with or without "<", ">" and "&" as
//     \u003c, "/" as "\/", non-ASCII as \uXXXX (surrogate pairs beyond the
//     BMP), hex digits in either case;
//   - Go-quoted (strconv.Quote, strconv.QuoteToASCII, as %q prints);
//   - HTML-escaped.
//
// It reports each secret found with t.Errorf, naming its index, the
// encoding and where in text it is, and returns whether text is clean.
// Empty secrets are ignored. Adapters call it on their errors and logs;
// the conformance suite uses the same check.
func AssertNoSecret(t testing.TB, text string, secrets ...string) bool {
	t.Helper()
	clean := true
	for i, secret := range secrets {
		if f, ok := findSecret(text, secret); ok {
			t.Errorf("text contains secrets[%d] (%s): %s", i, f.encoding, f.excerpt(text))
			clean = false
		}
	}
	return clean
}

// found is where an encoding of a secret is in a text.
type found struct {
	encoding string
	at, n    int
}

// findSecret finds the first of secret's encodings in text.
func findSecret(text, secret string) (found, bool) {
	if secret == "" {
		return found{}, false
	}
	for _, e := range encodings(secret) {
		if i := strings.Index(text, e.text); i >= 0 {
			return found{encoding: e.name, at: i, n: len(e.text)}, true
		}
	}
	return found{}, false
}

// excerpt shows the match in text with some context, quoted.
func (f found) excerpt(text string) string {
	const around = 60
	from, to := max(f.at-around, 0), min(f.at+f.n+around, len(text))
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	return fmt.Sprintf("at byte %d of %d: …%q…", f.at, len(text), text[from:to])
}

// encoded is one encoding of a secret.
type encoded struct{ name, text string }

// encodings returns the encodings of secret AssertNoSecret looks for,
// without duplicates.
func encodings(secret string) []encoded {
	var out []encoded
	seen := map[string]bool{}
	add := func(name, text string) {
		if text != "" && !seen[text] {
			seen[text] = true
			out = append(out, encoded{name, text})
		}
	}
	add("as is", secret)
	add("hex", hex.EncodeToString([]byte(secret)))
	add("hex", strings.ToUpper(hex.EncodeToString([]byte(secret))))
	for _, alphabet := range []struct {
		name string
		enc  *base64.Encoding
	}{{"standard", base64.StdEncoding}, {"URL", base64.URLEncoding}} {
		name := "base64, " + alphabet.name + " alphabet"
		add(name, alphabet.enc.EncodeToString([]byte(secret)))
		raw := alphabet.enc.WithPadding(base64.NoPadding)
		add(name, raw.EncodeToString([]byte(secret)))
		for k := range 3 {
			if frag := base64Fragment(raw, secret, k); len(frag) >= minFragment {
				add(name+", inside a longer credential such as user:pass or \\x00user\\x00pass", frag)
			}
		}
	}
	for _, e := range []string{url.QueryEscape(secret), url.PathEscape(secret), escapeAll(secret)} {
		add("URL-escaped", e)
		add("URL-escaped, lower-case hex", lowerEscapes(e))
	}
	add("URL-escaped twice", url.QueryEscape(url.QueryEscape(secret)))
	for style := range jsonStyles {
		add("JSON-escaped", jsonEscape(secret, style))
	}
	add("Go-quoted", unquote(strconv.Quote(secret)))
	add("Go-quoted", unquote(strconv.QuoteToASCII(secret)))
	add("HTML-escaped", html.EscapeString(secret))
	return out
}

// minFragment is the shortest base64 fragment looked for: 36 bits.
const minFragment = 6

// base64Fragment returns the characters of the base64 encoding of secret,
// preceded by k other bytes, that depend on the bytes of secret alone: what
// any longer text encoded with secret at that alignment contains.
func base64Fragment(enc *base64.Encoding, secret string, k int) string {
	b := enc.EncodeToString(append(make([]byte, k), secret...))
	first := (8*k + 5) / 6            // the first character past the k bytes
	last := 8 * (k + len(secret)) / 6 // past the last character within secret
	if first >= last {
		return ""
	}
	return b[first:last]
}

// escapeAll escapes every byte of s but the unreserved ones of RFC 3986.
func escapeAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)

// lowerEscapes writes the hex digits of s's %XX escapes in lower case.
func lowerEscapes(s string) string {
	return percentHex.ReplaceAllStringFunc(s, strings.ToLower)
}

// unquote drops the quotes around a quoted string.
func unquote(q string) string { return q[1 : len(q)-1] }

// jsonStyle is a way of escaping a JSON string, as a bit set.
type jsonStyle int

const (
	jsonHTML   jsonStyle = 1 << iota // "<", ">", "&" as \u003c… (Go)
	jsonSlash                        // "/" as "\/" (PHP, some Java)
	jsonASCII                        // non-ASCII as \uXXXX (Python)
	jsonUpper                        // \u00E9 rather than \u00e9
	jsonStyles                       // the number of styles
)

// jsonEscape returns s as it appears inside a JSON string written in style.
func jsonEscape(s string, style jsonStyle) string {
	var b strings.Builder
	u := func(r rune) {
		if style&jsonUpper != 0 {
			fmt.Fprintf(&b, `\u%04X`, r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '/' && style&jsonSlash != 0:
			b.WriteString(`\/`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20, style&jsonHTML != 0 && strings.ContainsRune("<>&", r):
			u(r)
		case r >= utf8.RuneSelf && style&jsonASCII != 0:
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				u(r1)
				u(r2)
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AssertOwnSecretInURLRefused checks the rule New keeps for a Config's URL
// field written as a plain string (a base URL, a server, an avatar): with
// one of the Config's own secrets in its path, as written (when it needs
// no escaping), path-escaped and query-escaped, newWith(form) fails with
// prefix (as "slack: Config.BaseURL: ") and the words naming the field
// the secret belongs in, and the error quotes no form of the secret.
// secrets maps each such field's name ("Token") to its value in the
// Config newWith builds.
func AssertOwnSecretInURLRefused(t *testing.T, prefix string, secrets map[string]string, newWith func(form string) error) {
	t.Helper()
	for _, field := range slices.Sorted(maps.Keys(secrets)) {
		secret := secrets[field]
		forms := []string{url.PathEscape(secret), url.QueryEscape(secret)}
		if !strings.ContainsAny(secret, " ?#%") {
			forms = append(forms, secret)
		}
		for _, form := range forms {
			err := newWith(form)
			if err == nil {
				t.Errorf("secret of %s in the URL as %q: no error", field, form)
				continue
			}
			if want := prefix + endpoint.SecretProblem(field); err.Error() != want {
				t.Errorf("secret of %s in the URL as %q: error %q, want %q", field, form, err, want)
			}
			for _, f := range append(forms, secret) {
				if strings.Contains(err.Error(), f) {
					t.Errorf("secret of %s in the URL: the error quotes it (%q)", field, f)
				}
			}
		}
	}
}
