package redact_test

import (
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// derWithRuns returns bytes of a key's length with long runs of 0x00 and
// 0xff among random ones, and runs that repeat a short pattern: bytes
// whose suffixes share long prefixes with each other.
func derWithRuns(seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, 7))
	var der []byte
	for len(der) < 1200 {
		switch rnd.IntN(4) {
		case 0:
			der = append(der, make([]byte, 16+rnd.IntN(80))...)
		case 1:
			der = append(der, []byte(strings.Repeat("\xff", 16+rnd.IntN(80)))...)
		case 2:
			der = append(der, []byte(strings.Repeat("\x01\x02\x03", 8+rnd.IntN(20)))...)
		default:
			for range 8 + rnd.IntN(40) {
				der = append(der, byte(rnd.Uint32()))
			}
		}
	}
	return der
}

// Of a key whose bytes repeat (runs of 0x00 and 0xff, a pattern over and
// over), every run of sixteen of its bytes or more, wherever it starts,
// is found in hex, with and without separators, and nothing around it is
// taken.
func TestRedactorDERPartsRepeatedRuns(t *testing.T) {
	for seed := range uint64(4) {
		der := derWithRuns(seed)
		key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		r := redact.NewRedactor(redact.NewSecret(key))
		rnd := rand.New(rand.NewPCG(seed, 9))
		for range 200 {
			a := rnd.IntN(len(der) - 16)
			e := a + 16 + rnd.IntN(min(200, len(der)-a-16)+1)
			part := der[a:e]
			for what, text := range map[string]string{
				"%x":   "got zz" + hex.EncodeToString(part) + "zz end",
				"% x":  "got: " + fmt.Sprintf("% x", part) + " :end",
				"dump": "dump:\n" + hex.Dump(part),
			} {
				out := r.String(text)
				assert.Contains(t, out, redact.Redacted, "%s [%d:%d]", what, a, e)
				switch what {
				case "%x":
					assert.Equal(t, "got zz"+redact.Redacted+"zz end", out, "[%d:%d]", a, e)
				case "% x":
					assert.Equal(t, "got: "+redact.Redacted+" :end", out, "[%d:%d]", a, e)
				}
			}
		}
	}
}

// Ordinary hex in a log (commit hashes, UUIDs, SHA-256 sums) is left as
// it is by a Redactor of a key: none of it is a part of the key's bytes.
func TestRedactorDERPartsOrdinaryHex(t *testing.T) {
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: derWithRuns(5)}))
	r := redact.NewRedactor(redact.NewSecret(key))
	assert.True(t, r.Holds(hex.Dump(derWithRuns(5)[40:80])))
	rnd := rand.New(rand.NewPCG(3, 4))
	hexOf := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		return hex.EncodeToString(b)
	}
	var log strings.Builder
	for i := range 300 {
		u := hexOf(16)
		fmt.Fprintf(&log, "commit %s\r\nrequest %s-%s-%s-%s-%s sha256:%s %s\n", hexOf(20), u[:8], u[8:12], u[12:16], u[16:20], u[20:], hexOf(32), strings.ToUpper(hexOf(20+i%13)))
	}
	assert.Equal(t, log.String(), r.String(log.String()))
	assert.Equal(t, log.String(), r.Truncated(log.String()))
	assert.False(t, r.Holds(log.String()))
}

// Redactors made by With from one that holds a key share the index of
// its bytes, built on first use: they serve String, Truncated and Holds
// at once from many goroutines (run with -race).
func TestRedactorDERIndexSharedConcurrently(t *testing.T) {
	der := derWithRuns(11)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	base := redact.NewRedactor(redact.NewSecret(key))
	rs := []*redact.Redactor{
		base,
		base.With(redact.NewSecret("ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8")),
		base.WithURL(redact.NewURL("https://alice:s3cr3t-pw@example.org/x")),
		base.WithWords(redact.NewSecret("hunter2")),
		base.With(redact.NewSecret(strings.ReplaceAll(fakePEM, "\n", "\r\n"))),
	}
	text := "dump:\n" + hex.Dump(der[100:300]) + "\r\nplain " + hex.EncodeToString(der[500:600])
	var wg sync.WaitGroup
	for _, r := range rs {
		for range 4 {
			wg.Go(func() {
				out := r.String(text)
				assert.NotContains(t, out, hex.EncodeToString(der[500:520]))
				assert.True(t, r.Holds(text))
				assert.NotContains(t, r.Truncated(text), hex.EncodeToString(der[500:520]))
			})
		}
	}
	wg.Wait()
}
