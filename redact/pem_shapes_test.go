package redact_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// assertPEMBodyHidden asserts that r hides each line of body of 16
// characters or more where a text quotes it alone, and the whole body
// where a text quotes it joined into one line of base64.
func assertPEMBodyHidden(t *testing.T, r *redact.Redactor, body []string, name string) {
	t.Helper()
	for _, l := range body {
		if len(l) >= 16 {
			out := r.String("asn1: structure error at " + l)
			assert.NotContains(t, out, l, "%s: one line: %q", name, out)
		}
	}
	joined := strings.Join(body, "")
	out := r.String(`decoding "` + joined + `": bad key`)
	for _, l := range body {
		assert.NotContains(t, out, l, "%s: joined: %q", name, out)
	}
}

// A PEM key whose lines end in spaces or tabs, or are indented (as copied
// from a configuration file), is found in part as one written without
// them is: a parser skips that white space (RFC 7468 section 3, its lax
// grammar; Go's encoding/pem), and quotes or joins the lines without it.
func TestRedactorPEMKeyLinesWithWhiteSpace(t *testing.T) {
	body := pemBody()
	for name, pad := range map[string]func(string) string{
		"trailing spaces": func(l string) string { return l + "  " },
		"trailing tab":    func(l string) string { return l + "\t" },
		"indented":        func(l string) string { return "    " + l },
	} {
		var b strings.Builder
		for _, l := range strings.Split(strings.TrimSuffix(fakePEM, "\n"), "\n") {
			b.WriteString(pad(l) + "\n")
		}
		held := b.String()
		r := redact.NewRedactor(redact.NewSecret(held))
		assertPEMBodyHidden(t, r, body, name)
	}
}

// PEM keys of other shapes are found in part: an EC key (a short body of
// three lines), an Ed25519 key (one line), and a PKCS #1 key encrypted as
// RFC 1421 has it, with Proc-Type and DEK-Info headers in its block and a
// blank line before its body (https://www.rfc-editor.org/rfc/rfc1421).
func TestRedactorPEMKeyShapes(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalECPrivateKey(ec)
	require.NoError(t, err)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	edDER, err := x509.MarshalPKCS8PrivateKey(ed)
	require.NoError(t, err)
	encDER := make([]byte, 1192)
	_, _ = rand.Read(encDER)
	for name, blk := range map[string]*pem.Block{
		"EC":        {Type: "EC PRIVATE KEY", Bytes: ecDER},
		"Ed25519":   {Type: "PRIVATE KEY", Bytes: edDER},
		"encrypted": {Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,3F17F5316E2BAC89B6CC9E1F4E2ACE2D"}, Bytes: encDER},
	} {
		held := string(pem.EncodeToMemory(blk))
		r := redact.NewRedactor(redact.NewSecret(held))
		var body []string
		for _, l := range strings.Split(held, "\n") {
			if l != "" && !strings.HasPrefix(l, "-----") && !strings.Contains(l, ":") {
				body = append(body, l)
			}
		}
		require.NotEmpty(t, body, name)
		assertPEMBodyHidden(t, r, body, name)
		for _, l := range strings.Split(held, "\n") {
			if strings.HasPrefix(l, "-----") || strings.Contains(l, ":") {
				assert.Equal(t, "got "+l, r.String("got "+l), "%s: a line that says what the block is stays", name)
			}
		}
	}
}
