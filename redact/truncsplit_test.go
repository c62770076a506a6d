package redact_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// Text cut short may end in the start of a secret that line breaks split
// (quoted-printable's soft line breaks, wrapped base64) or that character
// references write, or in a line break or a reference the cut left
// unfinished: Truncated leaves all of it out, wherever the cut falls.
func TestRedactorTruncatedSplitHead(t *testing.T) {
	const secret = "dG9rZW4tMTIz+/a=pa55w0rd-s3cr3t"
	r := redact.NewRedactor(redact.NewSecret(secret))
	// endsInHead reports whether out ends in the first two bytes or more of
	// form, or holds its first six.
	endsInHead := func(out, form string) bool {
		for k := 2; k <= len(form); k++ {
			if strings.HasSuffix(out, form[:k]) {
				return true
			}
		}
		return strings.Contains(out, form[:6])
	}
	for pad := range 30 {
		body := strings.Repeat("x", 50+pad) + " token " + secret + " end"
		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		_, err := w.Write([]byte(body))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		soft := strings.NewReplacer("=\r\n", "")
		qpForm := strings.ReplaceAll(secret, "=", "=3D")
		echo := "554 refused:\r\n" + qp.String()
		for n := len("554 refused:\r\n") + 40; n <= len(echo); n++ {
			out := r.Truncated(echo[:n])
			joined := strings.TrimSuffix(strings.TrimSuffix(soft.Replace(out), "\r"), "=")
			assert.False(t, endsInHead(joined, qpForm), "quoted-printable, %d, cut at %d: %q", pad, n, out)
			assert.True(t, strings.HasPrefix(out, "554 refused:\r\n"), "%d, %d: %q", pad, n, out)
		}

		b64 := base64.StdEncoding.EncodeToString([]byte(body))
		o := strings.Index(body, secret)
		core := b64[(8*o+5)/6 : 8*(o+len(secret))/6]
		var wrapped strings.Builder
		for len(b64) > 76 {
			wrapped.WriteString(b64[:76] + "\r\n")
			b64 = b64[76:]
		}
		wrapped.WriteString(b64)
		echo = "554 refused:\r\n" + wrapped.String()
		for n := 14 + (8*o+5)/6; n <= len(echo); n++ {
			out := r.Truncated(echo[:n])
			joined := strings.ReplaceAll(out, "\r\n", "")
			assert.False(t, endsInHead(joined, core), "base64, %d, cut at %d: %q", pad, n, out)
		}
	}
	for _, format := range []string{"&#%d;", "&#x%x;", "&#X%04X;"} {
		var refs strings.Builder
		for _, c := range secret {
			fmt.Fprintf(&refs, format, c)
		}
		echo := "<error>bad token " + refs.String() + "</error>"
		for n := len("<error>bad token "); n <= len(echo); n++ {
			out := r.Truncated(echo[:n])
			assert.False(t, endsInHead(html.UnescapeString(out), secret), "%s, cut at %d: %q", format, n, out)
			assert.NotContains(t, out[max(0, len(out)-8):], "&#", "%s, cut at %d: %q", format, n, out)
		}
	}
	// Text that ends in a line break or "=" alone, or in "&", is cut only
	// where a secret may start; an unfinished decimal or hex reference,
	// part of a character, always.
	for _, text := range []string{"a line =\r\n", "key=", "a & b &", "a &am", strings.Repeat("QUJB", 20) + "\r\n"} {
		assert.Equal(t, text, r.Truncated(text))
	}
	assert.Equal(t, "x ", r.Truncated("x &#x6"))
}

// Text cut inside a JSON escape ("\", "\u", "\u00", the first half of a
// surrogate pair) of a secret echoed with escapes as no one encoder mixes
// them leaves out the start of the secret and the unfinished escape.
func TestRedactorTruncatedUnfinishedJSONEscape(t *testing.T) {
	const secret = "ab/cd12345xyz😀<q>"
	r := redact.NewRedactor(redact.NewSecret(secret))
	const form = `ab\/\u0063d12345xyz\ud83d\ude00\u003Cq\u003e` // "c" escaped, as none does
	require.Equal(t, `{"e":"REDACTED"}`, r.String(`{"e":"`+form+`"}`))
	for n := 1; n < len(form); n++ {
		text := `{"e":"` + form[:n]
		assert.Equal(t, `{"e":"`, r.Truncated(text), "cut at %d: %q", n, form[:n])
	}
	for _, text := range []string{`C:\users\`, `a \u00`, `"\ud83d`, `x\`} {
		assert.Equal(t, text, r.Truncated(text), "no secret's start, nothing cut")
	}
}
