package redact_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// hostileToken and the login below are the secrets of the hostile
// texts: a 32-character token and a login pair.
const (
	hostileToken    = "tok-0123456789abcdefGHIJKLmnop/Z"
	hostileUser     = "ops-admin"
	hostilePassword = "pw/+=Lk9q-Zx81"
)

// hostileRedactor knows the hostile texts' secrets.
func hostileRedactor() *redact.Redactor {
	return redact.NewRedactor(redact.NewSecret(hostileToken)).WithLogin(hostileUser, redact.NewSecret(hostilePassword))
}

// hostileShapes returns texts of about n bytes a server controls, shaped
// to cost the hex and base64 scans most: one run of hex digits, runs of
// 12 digits between spaces, xxd -p lines, hex that starts the token's hex
// over and over (lower- and upper-case), and quoted-printable-wrapped
// base64.
func hostileShapes(n int) map[string]string {
	fill := func(unit string) string {
		return strings.Repeat(unit, n/len(unit)+1)[:n]
	}
	xxd := func() string {
		line := strings.Repeat("0123456789abcdef", 4)[:60]
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		return b.String()[:n]
	}
	near := hex.EncodeToString([]byte(hostileToken[:5]))
	b64 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00"+hostileUser+"\x00pw/+=Lk9", n/12)))
	var qp strings.Builder
	for i := 0; qp.Len() < n; i += 75 {
		qp.WriteString(b64[i:min(i+75, len(b64))])
		qp.WriteString("=\r\n")
	}
	return map[string]string{
		"one run":     fill("0123456789abcdef"),
		"12-digit":    fill("0123456789ab "),
		"xxd -p":      xxd(),
		"near starts": fill(near),
		"near upper":  fill(strings.ToUpper(near)),
		"qp base64":   qp.String()[:n],
	}
}

// BenchmarkRedactorHostile is String and Truncated of each hostile
// shape at 256 KB, 512 KB and 1 MB: the cost per byte stays the same.
func BenchmarkRedactorHostile(b *testing.B) {
	r := hostileRedactor()
	for _, size := range []int{256 << 10, 512 << 10, 1 << 20} {
		for name, text := range hostileShapes(size) {
			for _, how := range []string{"String", "Truncated"} {
				b.Run(fmt.Sprintf("%s/%s/%dK", how, strings.ReplaceAll(name, " ", "_"), size>>10), func(b *testing.B) {
					b.SetBytes(int64(len(text)))
					b.ReportAllocs()
					for b.Loop() {
						if how == "String" {
							_ = r.String(text)
						} else {
							_ = r.Truncated(text)
						}
					}
				})
			}
		}
	}
}
