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
