package redact_test

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// Innocent base64 wrapped at 76 columns, its last line short (padded or
// not) or whole, then a line of a key cut anywhere or whole at the
// text's end, the lines broken with "\r\n" or "\n": Truncated leaves out
// the key's line (a whole one may be replaced) and keeps every character of the base64 before it, and
// the line break after it. Before, the base64's last characters went too
// about half the time: cut at the key's line, the text ended in "=" and
// a line break, read as a soft line break going on, or in a line of
// base64 read as wrapped, whose last bytes started a form; what
// followed, the key's line, showed that none went on there.
func TestRedactorTruncatedKeepsBase64BeforeKeyLine(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	r := redact.NewRedactor(redact.NewSecret(fakePEM))
	lines := pemBody()
	for i := range 400 {
		b := make([]byte, 57*(1+rnd.IntN(3))+rnd.IntN(40))
		for k := range b {
			b[k] = byte(rnd.Uint32())
		}
		brk := []string{"\r\n", "\n"}[rnd.IntN(2)]
		blob := strings.ReplaceAll(wrapAt76(base64.StdEncoding.EncodeToString(b)), "\r\n", brk)
		line := lines[rnd.IntN(len(lines)-1)] // a whole line of 64 characters
		n := 1 + rnd.IntN(len(line))
		text := blob + brk + line[:n]
		out := r.Truncated(text)
		if n == len(line) && out == blob+brk+redact.Redacted {
			continue // the line whole, replaced (or left out: it may go on)
		}
		assert.Equal(t, blob+brk, out, "%d: %q", i, text[max(0, len(text)-100):])
		assert.False(t, r.Holds(out), "%d: %q", i, out)
	}
}
