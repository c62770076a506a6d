package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value that starts with "&" is an anchor to YAML, and the value its
// name and what follows it: "password: &Pa55word" is the key written
// empty, "password: &Pa55 word" the password "word". An anchor on a value
// that no alias uses is an error naming the key and saying to quote the
// value, never quoting it; before, the first said "empty (write a
// value…)" of a value written right there, and the second loaded the
// wrong password without a word. An anchor an alias uses still works.
func TestValueStartingWithAmpersandRefused(t *testing.T) {
	email := func(password string) string {
		return lines("channels:", "  - kind: email", "    host: smtp.example.com", "    port: 587",
			"    from: status@example.com", "    to: [ops@example.com]", "    username: status", "    password: "+password)
	}
	for name, password := range map[string]string{"alone": "&Pa55word", "before text": "&Pa55word more",
		"before quoted text": "&Pa55word \"more\""} {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(t, email(password), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `test.yaml:8: channels[0].password: an anchor that no alias uses`)
			assert.Contains(t, err.Error(), `quote the value`)
			assert.NotContains(t, err.Error(), "Pa55word")
		})
	}
	t.Run("in a list", func(t *testing.T) {
		_, _, err := parse(t, lines("channels:", "  - kind: console", "  - &ops"), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `test.yaml:3: channels[1]: an anchor that no alias uses`)
	})
	t.Run("used", func(t *testing.T) {
		_, _, err := parse(t, lines("channels:", "  - kind: console", "    name: ops", "    template: &t short",
			"  - kind: console", "    name: other", "    template: *t"), nil)
		require.NoError(t, err)
	})
}
