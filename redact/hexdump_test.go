package redact_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// spaced writes s's bytes as hex, two digits each, joined by sep.
func spaced(s, sep string, upper bool) string {
	h := hex.EncodeToString([]byte(s))
	if upper {
		h = strings.ToUpper(h)
	}
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, sep)
}

// A secret written byte by byte in hex with separators, as a server
// dumping the bytes it received writes it, is redacted.
func TestRedactorHexBytes(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, sep := range []string{" ", ":", "-"} {
		for _, upper := range []bool{false, true} {
			h := spaced("Bearer "+secret+"\r\n", sep, upper)
			text := "received: " + h + " (31 bytes)"
			out := r.String(text)
			assert.NotContains(t, out, spaced(secret[:6], sep, upper), "%q", out)
			assert.NotContains(t, out, spaced(secret[len(secret)-6:], sep, upper), "%q", out)
			assert.Contains(t, out, spaced("Bearer ", sep, upper), "the bytes around it stay: %q", out)
			assert.Contains(t, out, "(31 bytes)")
			assert.True(t, r.Holds(text), text)
		}
	}
}

// A dump of lines of sixteen bytes, each after its offset and before the
// bytes as text (hexdump -C, xxd -g1), is read across its lines: the
// secret's bytes become REDACTED, and its characters in the text column
// of the line it ends on too.
func TestRedactorHexDump(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	hexdumpC := "00000000  50 4f 53 54 20 2f 20 48  54 54 50 2f 31 2e 31 0d  |POST / HTTP/1.1.|\n" +
		"00000010  0a 41 75 74 68 3a 20 73  33 63 72 65 74 2d 74 6f  |.Auth: s3cret-to|\n" +
		"00000020  6b 65 6e 2d 30 31 32 33  0d 0a                    |ken-0123..|\n" +
		"0000002a\n"
	xxd := "00000000: 50 4f 53 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d  POST / HTTP/1.1.\r\n" +
		"00000010: 0a 41 75 74 68 3a 20 73 33 63 72 65 74 2d 74 6f  .Auth: s3cret-to\r\n" +
		"00000020: 6b 65 6e 2d 30 31 32 33 0d 0a                    ken-0123..\r\n"
	for _, dump := range []string{hexdumpC, xxd, strings.ToUpper(hexdumpC)} {
		out := r.String(dump)
		for _, part := range []string{"73 33 63", "33 63 72", "30 31 32 33", "s3cret", "ken-0123", "ken-", "0123"} {
			assert.NotContains(t, strings.ToLower(out), part, "%s", out)
		}
		assert.Contains(t, strings.ToLower(out), "50 4f 53 54", "the dump's other bytes stay: %s", out)
		assert.Contains(t, out, "HTTP/1.1.", "%s", out)
		assert.True(t, r.Holds(dump), dump)
	}
}

// Hex bytes that are not the secret's stay: a MAC address, a UUID, a
// dump of other bytes, the secret's bytes but for one, and the bytes of a
// secret shorter than six bytes ("4V", 34 56), which ordinary numbers
// write, also standing apart in a run of six bytes or more.
func TestRedactorHexBytesOthersStay(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret), redact.NewSecret("4V"))
	for _, text := range []string{
		"link 00:1a:2b:3c:4d:5e up, id 550e8400-e29b-41d4-a716-446655440000",
		"AB-CD-EF-01-23-45 ab cd 12:34:56",
		"got " + spaced("s3cret-token-0124", " ", false),
		"00000000  34 56 0a                                          |4v.|",
		// A run long enough to be read, in which "4V" stands apart.
		"00000000  31 32 20 34 56 0a 00 00  |12 4v...|",
		"sent 00 34 56 00 ff ff ff",
	} {
		assert.Equal(t, text, r.String(text))
		assert.False(t, r.Holds(text), text)
	}
}

// Truncated leaves out the start of a secret's bytes that a dump cut short
// ends in, wherever the cut falls: inside a byte's digits, in the text
// column, in the next line's offset.
func TestRedactorTruncatedHexDump(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	dump := "00000000  50 4f 53 54 20 2f 20 48  54 54 50 2f 31 2e 31 0d  |POST / HTTP/1.1.|\n" +
		"00000010  0a 41 75 74 68 3a 20 73  33 63 72 65 74 2d 74 6f  |.Auth: s3cret-to|\n" +
		"00000020  6b 65 6e 2d 30 31 32 33  0d 0a                    |ken-0123..|\n"
	for i := range len(dump) + 1 {
		out := r.Truncated(dump[:i])
		for _, part := range []string{"73 33", "s3c", "6b 65 6e", "ken-"} {
			assert.NotContains(t, out, part, "cut at %d: %q", i, out)
		}
		assert.True(t, strings.HasPrefix(dump, strings.Split(out, redact.Redacted)[0]), "%q", out)
	}
	assert.Contains(t, r.Truncated(dump[:60]), "50 4f 53 54 20 2f 20 48  54 54 50 2f 31 2e 31", "the bytes before it stay")
}
