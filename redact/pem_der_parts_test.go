package redact_test

import (
	"encoding/hex"
	"encoding/pem"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// xxdPlain writes b as xxd -p does: hex, 60 characters a line.
func xxdPlain(b []byte) []string {
	h := hex.EncodeToString(b)
	var lines []string
	for len(h) > 60 {
		lines = append(lines, h[:60])
		h = h[60:]
	}
	return append(lines, h)
}

// Of a PEM key held as a Secret, a part of its DER in hex is found as
// a line of its body is: one line of hex.Dump's (sixteen bytes) alone or
// a few, a line of xxd -p's (thirty bytes), upper-cased too, any run of
// minDERPart (sixteen) bytes of it or more, in a hex dump or in hex
// written without separators; the dump's text column beside such bytes
// too.
func TestRedactorPEMKeyDERPartsInHex(t *testing.T) {
	der, r, _ := derKeyRedactor()
	dump := strings.Split(strings.TrimSuffix(hex.Dump(der), "\n"), "\n")
	xxd := xxdPlain(der)
	n := len(dump)
	for what, text := range map[string]string{
		"a dump's line":                "bad key: " + dump[5] + "\nend",
		"a dump's lines":               "bad key:\n" + strings.Join(dump[10:13], "\n") + "\n",
		"a dump's last lines":          strings.Join(dump[n-2:], "\n"),
		"a dump's line without text":   dump[7][:58],
		"a line of xxd -p":             "key " + xxd[4] + " rejected",
		"lines of xxd -p":              strings.Join(xxd[6:9], "\n"),
		"lines of xxd -p, crlf":        strings.Join(xxd[6:9], "\r\n"),
		"a line of xxd -p, upper":      strings.ToUpper(xxd[11]),
		"a line of xxd -p, off a byte": "k=" + xxd[12][1:] + xxd[13][:1] + ";",
		"a part of %x":                 "got " + hex.EncodeToString(der[100:140]) + " want",
	} {
		out := r.String(text)
		assert.Contains(t, out, redact.Redacted, "%s: %q", what, out)
		assert.True(t, r.Holds(text), what)
		for i := 0; i+8 <= len(der); i += 4 {
			for _, h := range []string{hex.EncodeToString(der[i : i+8]), spacedHex(der[i : i+8])} {
				assert.NotContains(t, strings.ToLower(out), h, "%s: %q", what, out)
			}
		}
		if what == "a dump's line" {
			line := dump[5]
			assert.NotContains(t, out, line[strings.IndexByte(line, '|'):], "the text column: %q", out)
		}
	}
}

// spacedHex writes b as "% x" does.
func spacedHex(b []byte) string {
	h := hex.EncodeToString(b)
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, " ")
}

// A part of the DER shorter than sixteen bytes stays (the bytes of a
// short hash or an address, which other text holds too), and so does hex
// that is not the key's.
func TestRedactorPEMKeyDERShortPartsStay(t *testing.T) {
	der, r, rnd := derKeyRedactor()
	other := make([]byte, 64)
	for i := range other {
		other[i] = byte(rnd.Uint32())
	}
	for _, text := range []string{
		"id " + hex.EncodeToString(der[200:206]),
		"sum " + hex.EncodeToString(der[300:315]),
		"00000000  " + spacedHex(der[400:415]),
		"sha256 " + hex.EncodeToString(other),
		strings.Join(xxdPlain(other), "\n"),
		hex.Dump(other),
	} {
		assert.Equal(t, text, r.String(text))
		assert.False(t, r.Holds(text), text)
	}
}

// derKeyRedactor returns the DER of a key of random bytes (the same on
// every run), a Redactor of the key in PEM, and the random source, to
// draw more bytes from.
func derKeyRedactor() ([]byte, *redact.Redactor, *rand.Rand) {
	der := make([]byte, 1218)
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range der {
		der[i] = byte(rnd.Uint32())
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return der, redact.NewRedactor(redact.NewSecret(key)), rnd
}
