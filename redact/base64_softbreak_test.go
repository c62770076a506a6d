package redact_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A body quoted-printable wraps (lines of 75 characters and "=", a soft
// line break) may hold base64 that holds a secret's form: a request echoed
// in base64, its credential %-escaped. Cut just after a line's "=", or
// after the line break that follows it, the text ends in the start of the
// form's base64: Truncated leaves out the character holding the form's
// first byte and all after it, for every form, every alignment of the
// form in the base64 and "\n" or "\r\n" breaks.
func TestRedactorTruncatedBase64AtSoftLineBreak(t *testing.T) {
	r, forms := softBreakForms()
	rnd := rand.New(rand.NewPCG(11, 13))
	for name, form := range forms {
		for n := 40; n < 58; n++ { // the form's start near the first line's end, each alignment
			innocent := make([]byte, n)
			for k := range innocent {
				innocent[k] = 0x80 | byte(rnd.Uint32()) // no form starts with these
			}
			blob := base64.StdEncoding.EncodeToString(append(innocent, form+"\x90\x91\x92"...))
			at := 4 * n / 3 // the character holding the form's first byte
			for _, brk := range []string{"\n", "\r\n"} {
				text := blob[:75] + "=" + brk + blob[75:]
				for _, cut := range []int{76, 76 + len(brk)} {
					if at+2 > 75 {
						continue // too little of the form before the break to tell
					}
					s := text[:cut]
					out := r.Truncated(s)
					what := fmt.Sprintf("%s, %d innocent bytes, %q cut at %d", name, n, brk, cut)
					if assert.True(t, strings.HasPrefix(s, out), what) {
						assert.LessOrEqual(t, len(out), at, "%s: %q shows of %q", what, out[min(at, len(out)):], s[at:])
					}
				}
			}
		}
	}
}
