package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A PEM key held with its line breaks escaped twice ("\\n": a JSON
// document in a JSON string, a Kubernetes secret quoted in a log line)
// has the parts a key held once escaped has: one line of its body alone,
// its body, its body joined into one line.
func TestRedactorPEMKeyEscapedTwice(t *testing.T) {
	body := pemBody()
	for name, held := range map[string]string{
		`\\n`:    strings.ReplaceAll(strings.TrimSuffix(fakePEM, "\n"), "\n", `\\n`),
		`\\r\\n`: strings.ReplaceAll(fakePEM, "\n", `\\r\\n`),
	} {
		r := redact.NewRedactor(redact.NewSecret(held))
		assertKeyPartsHidden(t, name, r, map[string]string{
			"body, twice": "key: " + strings.Join(body, `\\n`) + " refused",
		})
		assert.True(t, r.Holds(held), name)
	}
}
