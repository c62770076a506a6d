package redact_test

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// benchSecrets are 50 secrets and a 1 MB text that holds each of them, in
// several encodings, among ordinary words, base64 and percent-escapes.
func benchSecrets() ([]redact.Secret, string) {
	var secrets []redact.Secret
	var b strings.Builder
	for i := range 50 {
		s := fmt.Sprintf("secret-%02d/pa ss+wörd-%d", i, i*7919)
		secrets = append(secrets, redact.NewSecret(s))
		fmt.Fprintf(&b, "auth %s for %s failed; ", base64.StdEncoding.EncodeToString([]byte("\x00user\x00"+s)), url.QueryEscape(s))
	}
	filler := "The quick brown fox jumps over the lazy dog 0123456789 YWJjZGVmZ2hp%20%2F ab/cd+ef "
	for b.Len() < 1<<20 {
		b.WriteString(filler)
	}
	return secrets, b.String()
}

func BenchmarkRedactorString(b *testing.B) {
	secrets, text := benchSecrets()
	r := redact.NewRedactor(secrets...)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.String(text)
	}
}

func BenchmarkNewRedactor(b *testing.B) {
	secrets, _ := benchSecrets()
	for b.Loop() {
		_ = redact.NewRedactor(secrets...)
	}
}

// BenchmarkWith is the cost of a Redactor for one more secret, as a channel
// makes on an error path.
func BenchmarkWith(b *testing.B) {
	r := redact.NewRedactor(redact.NewSecret("first-secret-0123"))
	s := redact.NewSecret("token-abcdef/0123456789+xyz")
	for b.Loop() {
		_ = r.With(s)
	}
}

// BenchmarkRedactorNearMatches is a text of near matches of many secrets
// that share a long start (webhook URLs of one service): at each place,
// the forms that share the text's start are many, and none matches.
func BenchmarkRedactorNearMatches(b *testing.B) {
	var secrets []redact.Secret
	for i := range 2000 {
		secrets = append(secrets, redact.NewSecret(fmt.Sprintf("https://hooks.example.com/services/T0000/B%04d/tok%04d", i, i)))
	}
	r := redact.NewRedactor(secrets...)
	var t strings.Builder
	for t.Len() < 1<<20 {
		t.WriteString(`{"error":"https://hooks.example.com/services/T0000/B9999/x refused"} aaaaaaaaaaaaaaaa`)
	}
	text := t.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.String(text)
	}
}

// benchHexDump is about 1 MB of hexdump -C lines of bytes that hold the
// first of benchSecrets' secrets now and then.
func benchHexDump() string {
	secrets, _ := benchSecrets()
	var data strings.Builder
	for data.Len() < 1<<20/4 {
		fmt.Fprintf(&data, "POST /hook HTTP/1.1\r\nAuthorization: Bearer %s\r\nContent-Length: 0\r\n\r\n", secrets[0].Reveal())
	}
	return hexDumpC([]byte(data.String()))
}

// hexDumpC writes b as hexdump -C does.
func hexDumpC(b []byte) string {
	var out strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&out, "%08x  ", off)
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&out, "%02x ", line[i])
			} else {
				out.WriteString("   ")
			}
			if i == 7 {
				out.WriteString(" ")
			}
		}
		out.WriteString(" |")
		for _, c := range line {
			if c < ' ' || c > '~' {
				c = '.'
			}
			out.WriteByte(c)
		}
		out.WriteString("|\n")
	}
	return out.String()
}

// BenchmarkRedactorHexDump is String of about 1 MB of a hex dump, every
// line of it read by the hex scan.
func BenchmarkRedactorHexDump(b *testing.B) {
	secrets, _ := benchSecrets()
	r := redact.NewRedactor(secrets...)
	text := benchHexDump()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.String(text)
	}
}

// BenchmarkRedactorHexRun is String of 1 MB of hex bytes on one line, one
// run of bytes.
func BenchmarkRedactorHexRun(b *testing.B) {
	secrets, _ := benchSecrets()
	r := redact.NewRedactor(secrets...)
	var t strings.Builder
	for t.Len() < 1<<20 {
		t.WriteString("50 4f 53 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d ")
	}
	text := t.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.String(text)
	}
}

// BenchmarkRedactorError is the cost of Redactor.Error: of an error whose
// text holds no secret (returned as it is: the path of every error a
// channel redacts that needs none), and of a wrapped join whose parts'
// one holds a secret.
func BenchmarkRedactorError(b *testing.B) {
	r := redact.NewRedactor(redact.NewSecret("token-abcdef/0123456789+xyz"))
	b.Run("clean", func(b *testing.B) {
		err := fmt.Errorf("webhook: post: %w", &url.Error{Op: "Post", URL: "https://example.com/hook", Err: errBench})
		for b.Loop() {
			_ = r.Error(err)
		}
	})
	b.Run("secret", func(b *testing.B) {
		err := fmt.Errorf("webhook: %w", errors.Join(errBench,
			&url.Error{Op: "Post", URL: "https://example.com/hook?token=token-abcdef/0123456789+xyz", Err: errBench}))
		for b.Loop() {
			_ = r.Error(err)
		}
	})
}

var errBench = errors.New("connection refused")

// benchPEM is a made-up private key of the size of an RSA 2048-bit one in
// PKCS #8 (1218 bytes: 26 lines of base64 of 64 characters, the last
// shorter), and a text of about 1 MB that quotes one line of its body
// among ordinary words and base64.
func benchPEM() (redact.Secret, string) {
	der := make([]byte, 1218)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range der {
		der[i] = byte(rnd.Uint32())
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	line := strings.Split(key, "\n")[5]
	var t strings.Builder
	t.WriteString("asn1: structure error at " + line + "; ")
	filler := "The quick brown fox jumps over the lazy dog 0123456789 YWJjZGVmZ2hp%20%2F ab/cd+ef "
	for t.Len() < 1<<20 {
		t.WriteString(filler)
	}
	return redact.NewSecret(key), t.String()
}

// BenchmarkNewRedactorPEM is the cost of a Redactor for a PEM key (a
// client certificate's), its matcher built by its first use.
func BenchmarkNewRedactorPEM(b *testing.B) {
	key, _ := benchPEM()
	for b.Loop() {
		_ = redact.NewRedactor(key).String("x")
	}
	b.ReportMetric(float64(heldBy(key)), "held-B")
}

// BenchmarkNewRedactorOneLine is BenchmarkNewRedactorPEM's for a secret of
// the key's length on one line: the key with spaces for its line breaks,
// which has no parts.
func BenchmarkNewRedactorOneLine(b *testing.B) {
	key, _ := benchPEM()
	s := redact.NewSecret(strings.ReplaceAll(key.Reveal(), "\n", " "))
	for b.Loop() {
		_ = redact.NewRedactor(s).String("x")
	}
	b.ReportMetric(float64(heldBy(s)), "held-B")
}

// heldBy returns the memory a Redactor of s holds once its matcher is
// built: heap in use after less heap in use before, each after a
// collection.
func heldBy(s redact.Secret) int {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := redact.NewRedactor(s)
	_ = r.String("x")
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(r)
	return int(after.HeapAlloc) - int(before.HeapAlloc)
}

// BenchmarkRedactorStringPEM is String of about 1 MB by a Redactor of a
// PEM key.
func BenchmarkRedactorStringPEM(b *testing.B) {
	key, text := benchPEM()
	r := redact.NewRedactor(key)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.String(text)
	}
}

// BenchmarkWithURLs is the cost of a Redactor of 100 webhook URLs with a
// token in their path and their query, as a failing configuration Load
// builds to hide the credentials of a file's URLs: per op, 100 URLs.
func BenchmarkWithURLs(b *testing.B) {
	urls := make([]redact.URL, 100)
	for i := range urls {
		urls[i] = redact.NewURL(fmt.Sprintf("https://hooks.example.com/services/T0000/B%04d/Tok%020d?sig=abc%08d", i, i, i))
	}
	for b.Loop() {
		_ = redact.NewRedactor().WithURLs(urls...).String("x")
	}
}
