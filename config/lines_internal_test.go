package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// lineIndex reads a line, and a column of it in characters, as lineText
// and a conversion of the line to characters do.
func TestLineIndexAsLineText(t *testing.T) {
	for _, data := range []string{"", "a", "a\n", "a: 1\r\nb: é, ~\n\nc: [à, ~]  # ü\nlast", "\n\n", "é"} {
		x := newLineIndex([]byte(data))
		for n := 1; n <= 7; n++ {
			line := lineText([]byte(data), n)
			assert.Equal(t, line, x.line(n), "%q line %d", data, n)
			chars := []rune(line)
			for column := 1; column <= len(chars)+2; column++ {
				rest, ok := x.from(n, column)
				if column-1 > len(chars) {
					assert.False(t, ok, "%q line %d column %d", data, n, column)
					continue
				}
				assert.True(t, ok, "%q line %d column %d", data, n, column)
				assert.Equal(t, string(chars[column-1:]), rest, "%q line %d column %d", data, n, column)
			}
		}
	}
}
