package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A key of many lines is found with its line breaks as "\r\n" and as
// "\n", whichever it was held with, as is and in the escapes a Redactor
// holds a form in: %-escaped (once and twice), JSON-escaped,
// HTML-escaped with references, upper-cased, in base64; the forms that
// differ only by their line breaks are held once, and "\r\n" is read as
// "\n" in the text.
func TestRedactorKeyLineBreaksEitherWay(t *testing.T) {
	lf := fakePEM
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	refs := func(s string) string {
		return strings.NewReplacer("\r", "&#13;", "\n", "&#10;").Replace(html.EscapeString(s))
	}
	for _, held := range []string{lf, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for _, key := range []string{lf, crlf} {
			for what, text := range map[string]string{
				"as is":        "key: " + key + " end",
				"%-escaped":    "https://echo.example/?k=" + url.QueryEscape(key),
				"%-escaped 2x": "https://echo.example/?u=" + url.QueryEscape("https://a.example/?k="+url.QueryEscape(key)),
				"path-escaped": "https://echo.example/" + url.PathEscape(key),
				"JSON":         `{"key":` + jsonOf(key) + `}`,
				"references":   "<p>" + refs(key) + "</p>",
				"upper-cased":  "KEY " + strings.ToUpper(key),
				"base64":       base64.StdEncoding.EncodeToString([]byte(key)),
			} {
				out := r.String(text)
				assert.Contains(t, out, redact.Redacted, "%q: %s", key[len(key)-3:], what)
				assert.NotContains(t, out, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj", "%s: %q", what, out)
				assert.True(t, r.Holds(text), what)
			}
		}
	}
}
