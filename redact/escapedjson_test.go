package redact_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret JSON- or HTML-escaped with escapes mixed (as no one encoder
// writes them) and then %-escaped, as a receiver echoing a JSON or HTML
// text inside a URL's query writes it, is found.
func TestRedactorMixedEscapesThenPercentEscaped(t *testing.T) {
	const secret = `tok"en</&>x1234567`
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, inner := range map[string]string{
		"json mixed":    `{"t":"tok\"en\u003c\/\u0026>x1234567"}`,
		"json upper":    `{"t":"tok\u0022en\u003C/\u0026\u003Ex1234567"}`,
		"charref mixed": `<p>tok&quot;en&#60;/&amp;&#x3E;x1234567</p>`,
	} {
		for how, text := range map[string]string{
			"query": "https://echo.example/?body=" + url.QueryEscape(inner),
			"path":  "https://echo.example/" + url.PathEscape(inner),
		} {
			out := r.String(text)
			assert.NotContains(t, out, "x1234567", "%s in a %s: %q", name, how, out)
			assert.Contains(t, out, redact.Redacted, name)
			assert.True(t, r.Holds(text), name)
			cut := r.Truncated(text[:len(text)-3])
			assert.NotContains(t, cut, "x1234567", "%s in a %s, cut short: %q", name, how, cut)
		}
	}
	plain := "https://echo.example/?body=" + url.QueryEscape(`{"t":"tok\"en\u003c\/\u0026>x1234568"}`)
	assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
}
