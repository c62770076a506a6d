package redact_test

import (
	"encoding/json"
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
		jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
		for what, text := range map[string]string{
			"one line":          "asn1: structure error at " + body[1] + " (line 3)",
			"one line, in JSON": `{"error":` + jsonOf("bad line "+body[2]) + `}`,
			"body":              "key:\n" + strings.Join(body, "\n") + "\nrefused",
			"body, escaped":     "key: " + strings.Join(body, `\n`) + " refused",
			"body, twice":       "key: " + strings.Join(body, `\\n`) + " refused",
			"joined":            `decoding "` + strings.Join(body, "") + `": bad key`,
		} {
			out := r.String(text)
			for _, l := range body[:len(body)-1] {
				assert.NotContains(t, out, l, "%s: %s: %q", name, what, out)
			}
			assert.True(t, r.Holds(text), "%s: %s", name, what)
		}
		assert.Equal(t, "got -----BEGIN PRIVATE KEY-----", r.String("got -----BEGIN PRIVATE KEY-----"), name)
		assert.True(t, r.Holds(held), name)
	}
}
