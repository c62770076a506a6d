package textfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Decode drops a leading UTF-8 byte-order mark, and only a leading one,
// and refuses UTF-16 and bytes that are not UTF-8, naming the line.
func TestDecode(t *testing.T) {
	text, err := Decode([]byte("\uFEFFSt\u00f6rung\n\uFEFF"))
	require.NoError(t, err)
	assert.Equal(t, "St\u00f6rung\n\uFEFF", text)
	for data, want := range map[string]string{
		"a\nb\nSt\xf6rung": "line 3: not valid UTF-8: save it as UTF-8",
		"\xff\xfeU\x00":    ErrUTF16.Error(),
		"\xfe\xff\x00U":    ErrUTF16.Error(),
		"\xef\xbb\xbf\xe9": "line 1: not valid UTF-8: save it as UTF-8",
	} {
		_, err := Decode([]byte(data))
		assert.EqualError(t, err, want, "%q", data)
	}
}
