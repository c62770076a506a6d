package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Discord's message, and the messages of the fields a 400 refused, reach
// the error as one bounded, printable line, as every channel quotes a
// server's text (httpx.Snippet): a broken or hostile answer can neither
// forge log lines with line breaks or terminal escapes nor make an error
// of a quarter of a megabyte.
func TestErrorTextIsBoundedAndPrintable(t *testing.T) {
	long := strings.Repeat("x", 20_000)
	hostile := "Invalid\nlevel=ERROR msg=forged\x1b[2J " + long
	field, err := json.Marshal(hostile)
	require.NoError(t, err)
	for name, body := range map[string]string{
		"message":       `{"message": ` + string(field) + `, "code": 50035}`,
		"field message": `{"message": "Invalid Form Body", "code": 50035, "errors": {"content": {"_errors": [{"code": "X", "message": ` + string(field) + `}]}}}`,
		"field name":    `{"message": "Invalid Form Body", "code": 50035, "errors": {` + string(field) + `: {"_errors": [{"code": "X", "message": "bad"}]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(canned{status: 400, body: body})
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			text := err.Error()
			assert.NotContains(t, text, "\n")
			assert.NotContains(t, text, "\x1b")
			assert.Less(t, len(text), 4*httpx.SnippetLimit, "error of %d bytes", len(text))
		})
	}
}
