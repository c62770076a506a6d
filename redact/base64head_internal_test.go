package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// base64Head, given the text s was cut from, cuts where the bytes of the
// run s ends in end in a form's start and the run goes on with the form
// in that text (across a soft line break, or a wrapped line's break), or
// where it goes on too little to tell; and not where it goes on with
// other bytes (innocent base64 before a line of something else).
func TestBase64HeadGoesOnInWhole(t *testing.T) {
	const secret = "s3cr3tToken0123456789abcdef"
	m := NewRedactor(NewSecret(secret)).m()
	rnd := rand.New(rand.NewPCG(3, 5))
	enc := base64.StdEncoding.EncodeToString
	for i := 1; i < len(secret); i++ {
		// Innocent bytes no form starts with (none is ASCII), as many as
		// put the cut after the secret's byte i on a character's edge.
		innocent := make([]byte, 93+(3-i%3)%3)
		for k := range innocent {
			innocent[k] = 0x80 | byte(rnd.Uint32())
		}
		c := 4 * (len(innocent) + i) / 3
		p := 4 * len(innocent) / 3 // the character holding the secret's first byte
		goesOn := enc(append(append([]byte{}, innocent...), secret+"; more"...))
		other := enc(append(append([]byte{}, innocent...), secret[:i]+"\x00\x00\x00more"...))
		for _, brk := range []string{"=\r\n", "=\n", "\r\n", "\n"} {
			// Two lines, the first wrapped: the second as long (the cut
			// at its end), or short and ending in a soft line break.
			w := 64
			if brk[0] == '=' {
				w = 20
			}
			lb := strings.TrimPrefix(brk, "=")
			s := goesOn[:c-w] + lb + goesOn[c-w:c] + brk
			p := p
			if c-w <= p {
				p += len(lb)
			}
			assert.Equal(t, p, m.base64Head(s, s), "%d %q: the text's own end", i, brk)
			assert.Equal(t, p, m.base64Head(s, s+goesOn[c:]), "%d %q: the secret goes on", i, brk)
			assert.Equal(t, p, m.base64Head(s, s+goesOn[c:c+1]), "%d %q: too little to tell", i, brk)
			assert.Equal(t, -1, m.base64Head(s, s+other[c:]), "%d %q: other bytes follow", i, brk)
		}
	}
}
