package main

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Invalid UTF-8 in a notification's text is dropped, as the package
// documentation says, also when it arrives in the body: encoding/json
// would read each invalid byte as U+FFFD, and the update would be posted
// with "�" in place of the letters the sender meant. A U+FFFD the body
// holds as such (Alertmanager's encoder writes one for each invalid byte
// of a label or annotation) stays: it is text like any other.
func TestInvalidUTF8InTheBodyIsDropped(t *testing.T) {
	body := "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\"," +
		"\"commonAnnotations\":{\"advice\":\"Retry\xff later\"}," +
		"\"alerts\":[{\"status\":\"firing\",\"labels\":{\"component\":\"C\xc3DN\"}," +
		"\"annotations\":{\"summary\":\"Disk \xe2\x82full\"," +
		"\"description\":\"Disk full on \xf0\x9f\x98 node-1 \ufffd \\ufffd\"}}]}"
	// One byte at a time too: a character split between two reads is
	// whole once both are in.
	for _, name := range []string{"whole", "bytewise"} {
		src := io.Reader(strings.NewReader(body))
		if name == "bytewise" {
			src = iotest.OneByteReader(src)
		}
		p, err := decodePayload(src)
		require.NoError(t, err, name)
		u := mapping{}.update(p, incident{})
		require.NoError(t, u.Validate(), name)
		assert.Equal(t, "Disk full", u.Title, name)
		assert.Equal(t, "Disk full on  node-1 \ufffd \ufffd", u.Body, name)
		assert.Equal(t, "Retry later", u.Advice, name)
		require.Len(t, u.Components, 1, name)
		assert.Equal(t, "CDN", u.Components[0].Name, name)
	}

	// Valid text of every length is kept whole, however it is split.
	valid := `{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing",` +
		`"annotations":{"summary":"é€😀 ok"}}]}`
	p, err := decodePayload(iotest.OneByteReader(strings.NewReader(valid)))
	require.NoError(t, err)
	assert.Equal(t, "é€😀 ok", mapping{}.update(p, incident{}).Title)
}
