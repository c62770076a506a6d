package redact_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// Reading a long text of hex bytes costs a small constant of memory per
// byte of the text, whether the bytes are one run on one line or a dump
// of many lines: at most 6 bytes allocated per byte, the text String
// returns included.
func TestRedactorHexMemoryPerByte(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("s3cret-token-0123"))
	run := strings.Repeat("50 4f 53 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d ", 1<<20/48)
	var data strings.Builder
	for data.Len() < 1<<18 {
		data.WriteString("POST /hook HTTP/1.1\r\nAuthorization: Bearer s3cret-token-0123\r\n\r\n")
	}
	for name, text := range map[string]string{
		"one run":       run,
		"groups":        strings.Repeat("504f 5354 202f 2048 5454 502f 312e 310d ", 1<<20/40),
		"hexdump -C":    hexDumpC([]byte(data.String())),
		"Truncated run": run,
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if strings.HasPrefix(name, "Truncated") {
			_ = r.Truncated(text)
		} else {
			_ = r.String(text)
		}
		runtime.ReadMemStats(&after)
		if perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(text)); perByte > 6 {
			t.Errorf("%s: %.1f bytes allocated per byte of %d", name, perByte, len(text))
		}
	}
}
