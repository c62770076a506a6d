package redact_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// tcpdumpX writes b as tcpdump -X does: each line a tab, its offset, the
// bytes in groups of two, and the bytes as text.
func tcpdumpX(b []byte) string {
	var out strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		var hexPart, text strings.Builder
		for i := 0; i < len(line); i += 2 {
			fmt.Fprintf(&hexPart, " %02x", line[i])
			if i+1 < len(line) {
				fmt.Fprintf(&hexPart, "%02x", line[i+1])
			}
		}
		for _, c := range line {
			if c < ' ' || c > '~' {
				c = '.'
			}
			text.WriteByte(c)
		}
		fmt.Fprintf(&out, "\n\t0x%04x: %-40s  %s", off, hexPart.String(), text.String())
	}
	return out.String()
}

// A secret's bytes in groups of two bytes (xxd's default, tcpdump -X's),
// on one line or across a dump's lines, and bytes separated by tabs, are
// redacted as bytes with one separator between each are, the secret's
// characters in the dump's text column too.
func TestRedactorHexGroupsAndTabs(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	request := "POST / HTTP/1.1\r\nAuth: " + secret + "\r\n\r\n"
	// xxd's output for the request.
	xxd := "00000000: 504f 5354 202f 2048 5454 502f 312e 310d  POST / HTTP/1.1.\n" +
		"00000010: 0a41 7574 683a 2073 3363 7265 742d 746f  .Auth: s3cret-to\n" +
		"00000020: 6b65 6e2d 3031 3233 0d0a 0d0a            ken-0123....\n"
	tcpdump := "12:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], length 45" + tcpdumpX([]byte(request)) + "\n"
	for name, c := range map[string]struct{ text, bytesShown string }{
		"xxd":         {xxd, "504f 5354"},
		"xxd -u":      {strings.ToUpper(xxd), "504F 5354"},
		"tcpdump -X":  {tcpdump, "504f 5354"},
		"one line":    {"sent 0a " + groups(" "+secret+" ") + " (19 bytes)", "0a"},
		"odd start":   {"sent " + groups("x"+secret+"\r\n"), "sent 78"},
		"tabs":        {"sent\t0a\t" + spaced(secret, "\t", false) + "\t0d\t0a", "0a\t"},
		"tabs, upper": {"sent " + spaced("\n"+secret+"\r\n", "\t", true), "0A\t"},
	} {
		out := r.String(c.text)
		for _, part := range []string{"3363 7265", "7265 742d", "3031 3233", "6f6b", "s3cret", "ken-0123", "\t33\t63\t", "32\t33"} {
			assert.NotContains(t, strings.ToLower(out), part, "%s: %s", name, out)
		}
		assert.Contains(t, out, c.bytesShown, "%s: the bytes around it stay: %s", name, out)
		assert.Contains(t, out, redact.Redacted, name)
		assert.True(t, r.Holds(c.text), name)
	}
	for i := range len(xxd) + 1 {
		out := r.Truncated(xxd[:i])
		for _, part := range []string{"2073 33", "3363", "s3c", "6b65 6e", "ken-"} {
			assert.NotContains(t, out, part, "cut at %d: %q", i, out)
		}
		assert.True(t, strings.HasPrefix(xxd, strings.Split(out, redact.Redacted)[0]), "%q", out)
	}
}

// groups writes s's bytes as hex in groups of two bytes with a space
// between them, the last group of one byte when s has an odd number.
func groups(s string) string {
	h := spaced(s, "", false)
	var parts []string
	for i := 0; i < len(h); i += 4 {
		parts = append(parts, h[i:min(i+4, len(h))])
	}
	return strings.Join(parts, " ")
}

// Groups of two hex bytes that are not a secret's stay: ordinary hex ids,
// a time, a secret's bytes but for one, and the bytes of a secret shorter
// than six bytes ("4V", 3456), also standing apart in a run of six bytes
// or more.
func TestRedactorHexGroupsOthersStay(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("s3cret-token-0123"), redact.NewSecret("4V"))
	for _, text := range []string{
		"dead beef cafe babe 0123 4567 89ab cdef",
		"2026 1205 1533 0000",
		"got " + groups("s3cret-token-0124"),
		"00000000: 3132 2034 560a 0000  12 4v....",
		"sent 0034 5600 ffff ff",
		"sent 00\t34\t56\t00\tff\tff",
	} {
		assert.Equal(t, text, r.String(text))
		assert.False(t, r.Holds(text), text)
	}
}
