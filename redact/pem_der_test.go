package redact_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A PEM key held as a Secret is found also as its decoded bytes (its
// DER) in hex, as a program writes them (Go's %x and %X, hex.Dump, a
// "% x" of the bytes): base64 of those bytes is the key's body itself.
func TestRedactorPEMKeyDERInHex(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalECPrivateKey(ec)
	require.NoError(t, err)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	for name, held := range map[string]string{
		"lines":   key,
		"crlf":    strings.ReplaceAll(key, "\n", "\r\n"),
		"escaped": strings.ReplaceAll(key, "\n", `\n`),
	} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for what, text := range map[string]string{
			"%x":       fmt.Sprintf("bad key %x", der),
			"%X":       fmt.Sprintf("bad key %X", der),
			"% x":      fmt.Sprintf("bad key [% x]", der),
			"hex.Dump": "bad key:\n" + hex.Dump(der),
		} {
			out := r.String(text)
			for i := 0; i+16 <= len(der); i += 16 {
				for _, f := range []string{"%x", "%X", "% x", "%02x"} {
					assert.NotContains(t, out, fmt.Sprintf(f, der[i:i+16]), "%s: %s: %q", name, what, out)
				}
			}
			assert.True(t, r.Holds(text), "%s: %s", name, what)
		}
	}
}
