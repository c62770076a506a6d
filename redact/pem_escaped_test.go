package redact_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A PEM key held on one line with its line breaks as "\n" escapes (as a
// JSON string, an env file or a YAML double-quoted string writes it, and
// as a program that does not unescape it hands it on) is found in part
// as a key of many lines is: one line of its body alone (a parser's error
// quoting the line it failed at, once the escapes are read), its body
// with line breaks, and its body joined into one line.
func TestRedactorPEMKeyWithEscapedLineBreaks(t *testing.T) {
	for name, held := range map[string]string{
		`\n`:                 strings.ReplaceAll(strings.TrimSuffix(fakePEM, "\n"), "\n", `\n`),
		`\n, one at the end`: strings.ReplaceAll(fakePEM, "\n", `\n`),
		`\r\n`:               strings.ReplaceAll(fakePEM, "\n", `\r\n`),
	} {
		assertKeyPartsHidden(t, name, redact.NewRedactor(redact.NewSecret(held)), nil)
	}
}

// assertKeyPartsHidden asserts that r, a Redactor of fakePEM held as name
// says, hides the parts of its body (one line alone, in JSON, the body
// with line breaks and with "\n" escapes, joined into one line), and the
// texts of more, and leaves the BEGIN line, which every key has, alone.
func assertKeyPartsHidden(t *testing.T, name string, r *redact.Redactor, more map[string]string) {
	t.Helper()
	body := pemBody()
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	texts := map[string]string{
		"one line":          "asn1: structure error at " + body[1] + " (line 3)",
		"one line, in JSON": `{"error":` + jsonOf("bad line "+body[2]) + `}`,
		"body":              "key:\n" + strings.Join(body, "\n") + "\nrefused",
		"body, escaped":     "key: " + strings.Join(body, `\n`) + " refused",
		"joined":            `decoding "` + strings.Join(body, "") + `": bad key`,
	}
	maps.Copy(texts, more)
	for what, text := range texts {
		out := r.String(text)
		for _, l := range body[:len(body)-1] {
			assert.NotContains(t, out, l, "%s: %s: %q", name, what, out)
		}
		assert.True(t, r.Holds(text), "%s: %s", name, what)
	}
	assert.Equal(t, "got -----BEGIN PRIVATE KEY-----", r.String("got -----BEGIN PRIVATE KEY-----"), name)
}
