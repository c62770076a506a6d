package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret holding a space, echoed %-escaped with escapes mixed and the
// space as "+" ("%c3%A9" beside "+"), once or escaped again, is found: the
// decoded text held "+" where the secret has a space.
func TestRedactorMixedEscapesSpaceAsPlus(t *testing.T) {
	const secret = "héllo wörld/123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, form := range []string{
		"h%c3%A9llo+w%C3%b6rld%2f123",
		"h%25c3%25A9llo%2Bw%25C3%25b6rld%252f123",
		"h%C3%A9llo+w%C3%B6rld/123",
	} {
		text := "bad token " + form + "."
		assert.Equal(t, "bad token REDACTED.", r.String(text), form)
		assert.True(t, r.Holds(text), form)
		for k := 1; k < len(form); k++ {
			out := r.Truncated("bad token " + form[:k])
			assert.True(t, out == "bad token " || strings.HasSuffix(out, redact.Redacted), "%s cut at %d: %q", form, k, out)
		}
	}
	assert.Equal(t, "a+b c%2Bd", r.String("a+b c%2Bd"), "no secret, nothing changed")
}
