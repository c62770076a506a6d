package redact_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A secret that e-mail split across lines (a quoted-printable soft line
// break) is found also where the message is quoted inside a JSON string
// or an XML text, which write its line break as an escape ("\r\n",
// "&#xD;&#xA;"), as an e-mail API's JSON error or an XML report quoting
// the message does; before, only a line break written as one was read.
func TestRedactorSoftBreakEscaped(t *testing.T) {
	const secret = "fake-Token-9f8e7d6c5b4a"
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	_, err := w.Write([]byte(strings.Repeat("a", 56) + " token " + secret + " end"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	body := qp.String()
	require.Contains(t, body, "fake-Token-9=\r\nf8e7d6c5b4a end", "the soft line break splits the secret")
	js, err := json.Marshal(map[string]string{"message": body})
	require.NoError(t, err)
	var x bytes.Buffer
	require.NoError(t, xml.EscapeText(&x, []byte(body)))
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, echo := range map[string]string{
		"JSON": `{"error":"rejected","raw":` + string(js) + `}`,
		"XML":  "<raw>" + x.String() + "</raw>",
	} {
		out := r.String(echo)
		assert.NotContains(t, out, "Token-9", name)
		assert.NotContains(t, out, "f8e7d6c5b4a", name)
		assert.Contains(t, out, redact.Redacted, name)
		assert.Contains(t, out, " end", name)
		assert.True(t, r.Holds(echo), name)
		assert.NotContains(t, r.Truncated(echo), "Token-9", name)
	}
}
