package redact_test

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret echoed in an XML or HTML answer with character references is
// found: tab, newline and carriage return as XML writers write them
// (encoding/xml's "&#x9;", "&#xA;", "&#xD;", Java's "&#10;", HTML's
// "&Tab;" and "&NewLine;"), and any character of it as a decimal or hex
// reference, upper- or lower-case "x", leading zeros or not, as a page
// that hides an address from harvesters writes it.
func TestRedactorCharacterReferences(t *testing.T) {
	const secret = "Tok\ten\nA9\r+/=z"
	r := redact.NewRedactor(redact.NewSecret(secret))
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(secret))
	each := func(format string) string {
		var b strings.Builder
		for _, c := range secret {
			fmt.Fprintf(&b, format, c)
		}
		return b.String()
	}
	for name, form := range map[string]string{
		"encoding/xml":       x.String(),
		"decimal":            "Tok&#9;en&#10;A9&#13;+/=z",
		"hex lower":          "Tok&#x9;en&#xa;A9&#xd;+/=z",
		"hex upper X":        "Tok&#X9;en&#XA;A9&#XD;+/=z",
		"html named":         "Tok&Tab;en&NewLine;A9&#13;&plus;&sol;&equals;z",
		"all decimal":        each("&#%d;"),
		"all hex":            each("&#x%x;"),
		"all hex upper":      each("&#X%X;"),
		"all hex zeros":      each("&#x%04x;"),
		"letters referenced": "&#84;ok\ten\n&#x41;9\r+/=&#X7A;",
	} {
		for _, text := range []string{"<error>bad token " + form + "</error>", `<p title="` + form + `">x</p>`} {
			out := r.String(text)
			assert.NotContains(t, out, "Tok", "%s: %q", name, out)
			assert.NotContains(t, out, "A9", "%s: %q", name, out)
			assert.Contains(t, out, redact.Redacted, name)
			assert.True(t, r.Holds(text), name)
		}
		assert.Equal(t, "<error>bad token REDACTED</error>", r.String("<error>bad token "+form+"</error>"), name)
	}
	for _, plain := range []string{"a &amp; b &#65; &#x42; &bogus; &#; &#xZZ; &", "Tok&#9;en&#10;A8"} {
		assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
		assert.False(t, r.Holds(plain), plain)
	}
}

// A secret echoed in JSON with escapes as encoders mix them is found:
// PHP's "\/" with upper-case "\u003C" (JSON_HEX_TAG), an escaped "/" with
// Go's lower-case HTML escapes, a surrogate pair, "\t" beside "\u0041".
func TestRedactorJSONEscapesMixed(t *testing.T) {
	const secret = "ab+cd/ef<12>==\t😀A"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, form := range []string{
		`ab+cd\/ef\u003C12\u003E==\t\ud83d\ude00A`,
		`ab+cd\/ef\u003c12\u003e\u003d\u003d\u0009😀\u0041`,
		`ab\u002Bcd\/ef<12>==\t\uD83D\uDE00A`,
	} {
		assert.Equal(t, `{"error":"REDACTED"}`, r.String(`{"error":"`+form+`"}`), form)
		assert.True(t, r.Holds(`{"error":"`+form+`"}`), form)
	}
	plain := `{"a":"x\/y\u003c\n\ud83d\ude00 \uZZZZ \ud800 \"q\" \\"}`
	assert.Equal(t, plain, r.String(plain))
	assert.False(t, r.Holds(plain))
}

// A secret echoed %-escaped with escapes as servers and proxies mix them
// is found: lower- beside upper-case hex digits, an unreserved character
// escaped beside one left alone, some characters escaped and others not
// as no encoder does, a JSON string or an HTML attribute
// holding the escaped form; and text cut inside such an echo, also in an
// escape, leaves out the start of the secret.
func TestRedactorPercentEscapesMixed(t *testing.T) {
	const secret = "s3cr3t/T0ken+abc=="
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, form := range map[string]string{
		"hex digits mixed":     "s3cr3t%2fT0ken%2Babc%3D%3d",
		"unreserved escaped":   "%73%33cr3t%2FT0ken%2Babc%3D%3D",
		"slash kept, mixed":    "s3cr3t/T0ken%2babc%3D%3D",
		"in an HTML attribute": "s3cr3t&#37;2fT0ken%2Babc%3D%3D",
		"plus alone escaped":   "s3cr3t/T0ken%2Babc==",
		"equals alone escaped": "s3cr3t/T0ken+abc%3D%3D",
		"equals kept":          "s3cr3t%2FT0ken%2Babc==",
	} {
		for _, text := range []string{`<a href="/x?token=` + form + `&amp;a=1">x</a>`, `{"url":"/x?token=` + form + `"}`} {
			out := r.String(text)
			assert.NotContains(t, out, "T0ken", "%s: %q", name, out)
			assert.Contains(t, out, "token="+redact.Redacted, "%s: %q", name, out)
			assert.True(t, r.Holds(text), name)
		}
	}
	for _, cut := range []string{"token=s3cr3t%2fT0ken%2", "token=s3cr3t%2fT0ken%", "token=s3cr3t%2fT0k", "token=s3cr3t%2"} {
		assert.Equal(t, "token=", r.Truncated(cut), cut)
	}
	for _, plain := range []string{"100% done, 50%2 off, %zz, %2B%2F", "s3cr3t%2fT0ken%2Babc%3D", "a%2"} {
		assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
		assert.False(t, r.Holds(plain), plain)
	}
	assert.Equal(t, "a%2", r.Truncated("a%2"))
}

// A secret outside ASCII echoed %-escaped with hex digits mixed inside a
// character's escapes ("%C3%a9", as no one encoder writes them), or with
// one character escaped in upper case and another in lower, is found, also
// beside an escape of an ASCII character; and text cut inside such an
// echo leaves out the start of the secret.
func TestRedactorPercentEscapesMixedNonASCII(t *testing.T) {
	const secret = "pässwörd/é-1234"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, form := range map[string]string{
		"mixed in one character":  "p%C3%a4ssw%c3%B6rd%2F%C3%A9-1234",
		"mixed across characters": "p%C3%A4ssw%c3%b6rd/%C3%A9-1234",
		"one left as is":          "p%c3%a4sswörd%2f%C3%A9-1234",
		"in a JSON string":        `p%C3%a4ssw\u00f6rd\/%C3%A9-1234`,
	} {
		text := `{"url":"/x?pw=` + form + `&a=1"}`
		out := r.String(text)
		assert.Equal(t, `{"url":"/x?pw=REDACTED&a=1"}`, out, name)
		assert.True(t, r.Holds(text), name)
	}
	for _, cut := range []string{"pw=p%C3%a4ssw%c3%B6rd%2F%C3", "pw=p%C3%a4ssw%c3%B6rd%2F%C", "pw=p%C3%a4ssw%c3%B6"} {
		assert.Equal(t, "pw=", r.Truncated(cut), cut)
	}
	for _, plain := range []string{"p%C3%a4ssw%c3%B6rd/%C3%A9-1235", "caf%C3%a9 %ff%FE"} {
		assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
		assert.False(t, r.Holds(plain), plain)
	}
}

// A secret %-escaped with escapes mixed, then escaped again, as a page
// quoting that URL in a link writes it ("%2f" beside "%2B", as "%252f"
// beside "%252B"), is found, as the forms that one encoder writes and
// another escapes again are.
func TestRedactorPercentEscapesMixedEscapedAgain(t *testing.T) {
	const secret = "s3cr3t/T0ken+abc=="
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, form := range []string{
		"s3cr3t%252fT0ken%252Babc%253D%253D",
		"s3cr3t%25252fT0ken%25252Babc%25253D%25253d",
		"s3cr3t/T0ken%252babc==",
	} {
		text := `<a href="/go?to=%2Fx%3Ftoken%3D` + form + `">x</a>`
		out := r.String(text)
		assert.Equal(t, `<a href="/go?to=%2Fx%3Ftoken%3DREDACTED">x</a>`, out, form)
		assert.True(t, r.Holds(text), form)
	}
	plain := "s3cr3t%252fT0ken%252Babc%253D 100%25 %2525"
	assert.Equal(t, plain, r.String(plain))
}
