package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// pemBody returns the lines of fakePEM's body, between its BEGIN and END
// lines.
func pemBody() []string {
	lines := strings.Split(strings.TrimSuffix(fakePEM, "\n"), "\n")
	return lines[1 : len(lines)-1]
}

// A PEM key held as a Secret is found also in part, as a server or a
// library echoes it: one line of its body alone, its body without the
// BEGIN and END lines (its line breaks as "\n" or as "\r\n"), and its body
// joined into one line of base64; each also in the encodings a Redactor
// applies to a whole secret (%-escaped, JSON-escaped, in base64).
func TestRedactorPEMKeyInPart(t *testing.T) {
	body := pemBody()
	line := body[1]
	withLF := strings.Join(body, "\n")
	withCRLF := strings.Join(body, "\r\n")
	joined := strings.Join(body, "")
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, held := range []string{fakePEM, strings.ReplaceAll(fakePEM, "\n", "\r\n")} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for name, text := range map[string]string{
			"one line":                    "asn1: structure error at " + line + " (line 3)",
			"body, lf":                    "key:\n" + withLF + "\nrefused",
			"body, crlf":                  "key:\r\n" + withCRLF + "\r\nrefused",
			"body and END":                "key: " + withLF + "\n-----END PRIVATE KEY-----",
			"joined":                      `decoding "` + joined + `": bad key`,
			"one line, %-escaped":         "https://echo.example/?k=" + url.QueryEscape(line),
			"joined, %-escaped":           "https://echo.example/?k=" + url.QueryEscape(joined),
			"one line, JSON-escaped":      `{"error":` + jsonOf("bad "+line) + `}`,
			"body, JSON-escaped":          `{"error":` + jsonOf("bad\n"+withLF+"\n") + `}`,
			"joined, upper-cased":         "BAD KEY " + strings.ToUpper(joined),
			"one line, in base64 of more": b64("echo: " + line + " end"),
		} {
			out := r.String(text)
			for _, l := range body[:len(body)-1] {
				assert.NotContains(t, out, l, "%s: %q", name, out)
			}
			if !strings.HasPrefix(name, "one line") {
				// The last line, short, is found with the one before it.
				assert.NotContains(t, out, strings.TrimRight(body[len(body)-1], "="), "%s: %q", name, out)
			}
			assert.NotContains(t, out, joined, "%s: %q", name, out)
			assert.Contains(t, out, redact.Redacted, name)
			assert.True(t, r.Holds(text), name)
		}
	}
}

// Of a PEM key held as a Secret, the BEGIN and END lines alone are no
// secret, nor is a line of its body too short to be told from ordinary
// text (its last line often is: "AQAB" is also an RSA public exponent in a
// JWK): each stays where it appears alone.
func TestRedactorPEMKeyPublicParts(t *testing.T) {
	const key = "-----BEGIN RSA PRIVATE KEY-----\n" +
		"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n" +
		"VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBsNIs+bMY2Zkp18gnTxK\n" +
		"AQAB\n" +
		"-----END RSA PRIVATE KEY-----\n"
	r := redact.NewRedactor(redact.NewSecret(key))
	for _, text := range []string{
		"-----BEGIN RSA PRIVATE KEY-----",
		"want -----BEGIN RSA PRIVATE KEY-----, got -----END RSA PRIVATE KEY-----",
		`{"kty":"RSA","e":"AQAB","n":"u1SU"}`,
	} {
		assert.Equal(t, text, r.String(text), "no secret, nothing changed")
		assert.False(t, r.Holds(text), text)
	}
	line := strings.Split(key, "\n")[2]
	assert.Equal(t, "bad "+redact.Redacted, r.String("bad "+line), "a whole line is found")
}

// A PEM key whose body is wrapped at fewer characters than a line must
// have to be found alone is found by its body whole, with its line breaks
// or joined into one line.
func TestRedactorPEMKeyNarrowLines(t *testing.T) {
	body := []string{"MIIBVgIBADAN", "BgkqhkiG9w0B", "AQEFAASCAUAw", "ggE8AgEAAkEA"}
	key := "-----BEGIN PRIVATE KEY-----\n" + strings.Join(body, "\n") + "\n-----END PRIVATE KEY-----\n"
	r := redact.NewRedactor(redact.NewSecret(key))
	for _, text := range []string{
		"key:\n" + strings.Join(body, "\n") + "\nrefused",
		"key:\r\n" + strings.Join(body, "\r\n") + "\r\nrefused",
		"key " + strings.Join(body, "") + " refused",
	} {
		out := r.String(text)
		for _, l := range body {
			assert.NotContains(t, out, l, "%q", out)
		}
	}
	assert.Equal(t, "got "+body[1], r.String("got "+body[1]), "a short line alone is not found")
}
