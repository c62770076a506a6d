package redact_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// Where a Redactor of a key of many lines reads a text's "\r\n" as "\n",
// what it replaces is the key's bytes in the text as written: nothing of
// the key is left beside REDACTED, and nothing around it is taken, also
// beside a lone "\r", invalid UTF-8, or a "\r\n" that starts or ends the
// text; a text of line breaks alone is left as it is.
func TestRedactorKeyCRLFSpans(t *testing.T) {
	lf := fakePEM
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	var mixed strings.Builder
	for i, l := range strings.SplitAfter(lf, "\n") {
		if i%2 == 1 {
			l = strings.TrimSuffix(l, "\n") + "\r\n"
		}
		mixed.WriteString(l)
	}
	for _, held := range []string{lf, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for _, key := range []string{lf, crlf, mixed.String()} {
			for _, before := range []string{"", "x", "\r", "x\r", "\r\n", "\r\r\n", "\xff", "\xff\r", "a\r\nb\n"} {
				for _, after := range []string{"", "y", "\r", "\r\n", "\n", "\xff", "\r\xff\n", "\r\r\n"} {
					text := before + key + after
					assert.Equal(t, before+redact.Redacted+after, r.String(text), "%q", text)
					q := "k=" + url.QueryEscape(before+key+after) + "&z"
					assert.Equal(t, "k="+url.QueryEscape(before)+redact.Redacted+url.QueryEscape(after)+"&z", r.String(q), "%q", q)
				}
			}
		}
		for _, text := range []string{"\r", "\r\r", "\r\n", "\n\r", "\r\n\r\n", "\r\r\n\n", "\xff\r\n\xfe", "\r\n\xff\r"} {
			assert.Equal(t, text, r.String(text))
			assert.Equal(t, text, r.Truncated(text))
			assert.False(t, r.Holds(text), "%q", text)
		}
	}
}
