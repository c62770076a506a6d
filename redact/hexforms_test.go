package redact_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// hexForms are the forms of secret and of a login (user, password) that
// a server may echo and then write in hex: as written, %-escaped by a
// query's and a path's encoder (hex digits in either case), JSON-escaped,
// upper-cased, in base64, and a login's SASL PLAIN and HTTP Basic forms
// in base64.
func hexForms(t *testing.T, secret, user, password string) map[string]string {
	js, err := json.Marshal(secret)
	assert.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString
	q := url.QueryEscape(secret)
	return map[string]string{
		"as written":       secret,
		"query-escaped":    q,
		"query-escaped lc": lowerEscapes(q),
		"path-escaped":     url.PathEscape(secret),
		"json-escaped":     strings.Trim(string(js), `"`),
		"upper-cased":      strings.ToUpper(secret),
		"base64":           b64([]byte(secret)),
		"sasl plain":       b64([]byte("\x00" + user + "\x00" + password)),
		"basic":            b64([]byte(user + ":" + password)),
		"password escaped": url.QueryEscape(password),
	}
}

// lowerEscapes returns s with the hex digits of its %-escapes in lower
// case, as some encoders write them.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = strings.ToLower(string(b[i+1]))[0], strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

// A server that echoes a secret in any form the Redactor knows (a
// %-escaped one above all, whose "/", "+" and "=" the escaping changes)
// and writes those bytes in hex, without separators in either case (Go's
// %x and %X, hex.EncodeToString, xxd -p) or byte by byte with the
// separators a dump writes, has each redacted: only its hex, the text
// around it kept.
func TestRedactorHexOfEveryForm(t *testing.T) {
	const (
		secret   = "s3cr3t/Pa+ss=word/0123"
		user     = "ops"
		password = "pw/+=-Lk9q"
	)
	r := redact.NewRedactor(redact.NewSecret(secret)).WithLogin(user, redact.NewSecret(password))
	for name, form := range hexForms(t, secret, user, password) {
		h := hex.EncodeToString([]byte(form))
		writes := map[string]string{
			"lower": h, "upper": strings.ToUpper(h),
			"spaced": spaced(form, " ", false), "colons": spaced(form, ":", true),
			"dashes": spaced(form, "-", false), "tabs": spaced(form, "\t", false),
			"groups": groups(form),
		}
		for how, w := range writes {
			for _, text := range []string{"echo: " + w + " end", "echo=" + w, w} {
				out := r.String(text)
				assert.NotContains(t, out, w, "%s, %s: %q", name, how, out)
				flat := strings.ToLower(strings.NewReplacer(" ", "", ":", "", "-", "", "\t", "").Replace(out))
				for k := 0; k+12 <= len(h); k += 2 {
					if !assert.NotContains(t, flat, h[k:k+12], "%s, %s: six bytes of the form show in %q", name, how, out) {
						break
					}
				}
				if before, _, ok := strings.Cut(text, w); ok {
					assert.True(t, strings.HasPrefix(out, before), "%s, %s: the text before stays: %q", name, how, out)
				}
				if strings.HasSuffix(text, " end") {
					assert.True(t, strings.HasSuffix(out, " end"), "%s, %s: the text after stays: %q", name, how, out)
				}
				assert.True(t, r.Holds(text), "%s, %s: %q", name, how, text)
			}
		}
	}
}

// Hex without separators that is no secret's stays: hashes, ids, the hex
// of a %-escaped secret but for one byte, of a form under six bytes.
func TestRedactorPlainHexOthersStay(t *testing.T) {
	const secret = "s3cr3t/Pa+ss=word/0123"
	r := redact.NewRedactor(redact.NewSecret(secret), redact.NewSecret("a/b"))
	changed := []byte(url.QueryEscape(secret))
	changed[8]++
	for _, text := range []string{
		"commit 9c89dd87ae8fc8cb0ddb1e7de2bc58158bc27ce3 deadbeefcafebabe",
		"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"got " + hex.EncodeToString(changed),
		"got " + hex.EncodeToString([]byte("x a%2Fb y")),
	} {
		assert.Equal(t, text, r.String(text))
		assert.False(t, r.Holds(text), text)
	}
}

// Truncated leaves out the start of a form's hex without separators that
// the text ends in, wherever the cut falls (inside a byte's digits too),
// and keeps the hex before it.
func TestRedactorTruncatedPlainHexOfEscapedForm(t *testing.T) {
	const secret = "s3cr3t/Pa+ss=word/0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	form := url.QueryEscape(secret)
	for _, upper := range []bool{false, true} {
		h := hex.EncodeToString([]byte("form=" + form + "&x=1"))
		if upper {
			h = strings.ToUpper(h)
		}
		text := "echo: " + h
		at := len("echo: ") + 2*len("form=")
		for n := range len(text) + 1 {
			out := r.Truncated(text[:n])
			if strings.Contains(out, redact.Redacted) {
				assert.True(t, n >= at+2*len(form), "cut at %d: %q", n, out)
				continue
			}
			assert.True(t, strings.HasPrefix(text, out), "cut at %d: %q", n, out)
			if n >= at+4 {
				flat := strings.ToLower(out)
				assert.NotContains(t, flat, hex.EncodeToString([]byte(form[:2])), "cut at %d: %q", n, out)
			}
			if n >= at {
				assert.GreaterOrEqual(t, len(out), at-2, "cut at %d: the hex before the form stays: %q", n, out)
			}
		}
	}
}
