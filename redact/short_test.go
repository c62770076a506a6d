package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A very short secret (a password of one or two characters) is replaced
// where it stands apart, also where an escape comes before it, but not
// inside a word or number, which it would otherwise take letters and
// digits out of.
func TestRedactorShortSecretStandsApart(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("e"), redact.NewSecret("12"))
	assertShown(t, r, map[string]string{
		"connection refused: password e rejected": "connection refused: password REDACTED rejected",
		"HTTP 412, retry in 120s; pass=12":        "HTTP 412, retry in 120s; pass=REDACTED",
		`{"user":"bot","password":"e"}`:           `{"user":"bot","password":"REDACTED"}`,
		"PASS 12\r\n":                             "PASS REDACTED\r\n",
		`{"error":"bad login\ne"}`:                `{"error":"bad login\nREDACTED"}`,
		"https://x.example/?q=a%20e":              "https://x.example/?q=a%20REDACTED",
		"e":                                       "REDACTED",
	}, "the server refused the request", "HTTP 412 after 1200ms", "e1 12a")
	assert.Equal(t, "password REDACTED", r.Truncated("password e"), "at the end of a text cut short")
}

// assertShown checks that r shows each text of shown as its value, and
// holds a secret there, and leaves each of plain as it is, holding none.
func assertShown(t *testing.T, r *redact.Redactor, shown map[string]string, plain ...string) {
	t.Helper()
	for text, want := range shown {
		assert.Equal(t, want, r.String(text), text)
		assert.True(t, r.Holds(text), text)
	}
	for _, text := range plain {
		assert.Equal(t, text, r.String(text))
		assert.False(t, r.Holds(text), text)
	}
}
