package redact

import (
	"encoding/pem"
	"math/rand/v2"
	"strings"
	"testing"
)

// A Redactor of a key of many lines holds the forms that differ only by
// its line breaks ("\n" or "\r\n", as is or escaped: "%0A", "\n", "&#10;")
// once, not once for each kind of line break: at most twice what a
// Redactor of a secret of its length on one line holds (it held about
// three times as much; what it holds beyond the one-line secret's is its
// lines' parts, and "\n" escaped as "%0A" where a space is "+").
func TestRedactorHoldsLineBreaksOnce(t *testing.T) {
	der := make([]byte, 1218)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range der {
		der[i] = byte(rnd.Uint32())
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for name, held := range map[string]string{"lf": key, "crlf": strings.ReplaceAll(key, "\n", "\r\n")} {
		k, _ := heldBy(func() *Redactor { return NewRedactor(NewSecret(held)) })
		one, _ := heldBy(func() *Redactor { return NewRedactor(NewSecret(strings.ReplaceAll(key, "\n", " "))) })
		t.Logf("%s: a key's Redactor holds %d bytes, a one-line secret's %d", name, k, one)
		if k > 2*one {
			t.Errorf("%s: a Redactor of a key holds %d bytes, of a secret of its length on one line %d: want at most %d", name, k, one, 2*one)
		}
	}
}
