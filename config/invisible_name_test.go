package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's name holding a character that shows nothing (a zero width
// space pasted with it) is refused, naming the key and the character: it
// looked like another channel's name, and Overrides and when: written
// for that name never reached it.
func TestNameWithInvisibleCharacterIsRefused(t *testing.T) {
	for _, y := range []string{
		lines("channels:", "  - kind: console", "    name: \"ops\\u200b\""),
		lines("channels:", "  - url: \"console://\"", "    name: \"ops\\u200b\""),
		lines("channels:", "  - kind: console", "    name: ${NAME}"),
	} {
		_, _, err := parse(t, y, map[string]string{"NAME": "ops\u202e"})
		require.Error(t, err, y)
		assert.Contains(t, err.Error(), "): name: holds the invisible character U+", y)
	}
}
