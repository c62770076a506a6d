package redact_test

import (
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A key written in a JSON string with its line breaks as "\r\n" escapes
// (a key of "\r\n" lines that a program marshalled), then escaped twice
// more (that JSON quoted in a JSON string, itself quoted in another; or
// JSON-escaped, then sent %-escaped), or dumped in hex, is hidden whole, BEGIN and END lines too, whichever line breaks
// the key was held with, as it was before a Redactor held a key's forms
// that differ only by their line breaks once: the body's lines alone were
// hidden, its BEGIN and END lines shown.
func TestRedactorKeyCRLFEscapesEscapedAgain(t *testing.T) {
	lf := fakePEM
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
	inJSON := jsonOf(crlf) // the key with "\r\n" escapes
	for _, held := range []string{lf, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for what, text := range map[string]string{
			"JSON in JSON in JSON":         `{"log":"` + jsonOf(`{"body":"`+jsonOf(`{"key":"`+inJSON+`"}`)+`"}`) + `"}`,
			"JSON in JSON, then %-escaped": "https://echo.example/?body=" + url.QueryEscape(`{"body":"`+jsonOf(`{"key":"`+inJSON+`"}`)+`"}`),
			"JSON, in a hex dump":          hex.Dump([]byte(`{"key":"` + inJSON + `"}`)),
		} {
			out := r.String(text)
			assert.NotContains(t, out, "PRIVATE", "held with %q: %s: %q", held[len(held)-2:], what, out)
			assert.NotContains(t, out, "50 52 49 56 41 54 45", "held with %q: %s: %q", held[len(held)-2:], what, out)
			assert.True(t, r.Holds(text), what)
		}
	}
}

// A key of "\r\n" lines %-escaped, then in a hex dump, keeps
// its short last line of base64 hidden: the part it makes with the line
// before it, with its "\r\n", is held in every encoding, as it was before
// a Redactor held a key's forms that differ only by their line breaks
// once (the key whole is held so in fewer, at its length; a part is
// short). That line ("Abc9fakeQ==", the key's last bytes) showed.
func TestRedactorKeyCRLFLastLineEscapedInHex(t *testing.T) {
	crlf := strings.ReplaceAll(fakePEM, "\n", "\r\n")
	for _, held := range []string{fakePEM, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for what, text := range map[string]string{
			"%-escaped, in a hex dump":    hex.Dump([]byte("k=" + url.QueryEscape(crlf))),
			"JSON-escaped, in a hex dump": hex.Dump([]byte(`{"k":"` + jsonOfKey(crlf) + `"}`)),
		} {
			out := r.String(text)
			for _, shown := range []string{"Abc9fak", "41 62 63 39"} {
				assert.NotContains(t, out, shown, "held with %q: %s: %q", held[len(held)-2:], what, out)
			}
		}
	}
}

func jsonOfKey(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
