package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key YAML reads as null ("~", "null") is refused naming where it is:
// decoded into a mapping of text (a webhook's headers), it was left out
// without a word, so that the file loaded and the header was never sent.
func TestNullKeyRefused(t *testing.T) {
	for _, key := range []string{"~", "null", "Null"} {
		t.Run(key, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in",
				"    secret: "+secret, "    headers:", "      X-Source: outagecast", "      "+key+": Bearer abcdef123456"), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `test.yaml:7: channels[0].headers: a key that is null (`+key+`): write it as text, in quotes`)
			assert.NotContains(t, err.Error(), "abcdef123456")
		})
	}
}
