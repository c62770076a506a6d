package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A password of one or two characters ("0", "12") written in a URL is
// hidden where it stands apart in Load's errors, but the field paths the
// faults start with are config's own, no secret: they stay readable.
// Before, the error read "test.yaml:3: channels[REDACTED]: unknown key"
// and "stages[REDACTED][REDACTED]: names no channel".
func TestShortPasswordKeepsFieldPaths(t *testing.T) {
	for _, pw := range []string{"0", "1", "12"} {
		t.Run(pw, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:",
				"  - kind: console", "    nope: 0",
				"  - kind: console", "    nope: 1",
				"  - kind: console", "    nope: 12",
				"  - kind: webhook", "    url: 'https://ops:"+pw+"@hooks.example.com/in'", "    allow_unsigned: true",
				"  - kind: console", "    output: '"+pw+"'",
				"stages: [[a], [b], [c], [d], [e], [f], [g], [h], [i], [j], [k], [l], [m]]"), nil)
			require.Error(t, err)
			msg := err.Error()
			for _, want := range []string{"test.yaml:3: channels[0]: unknown key", "test.yaml:5: channels[1]: unknown key",
				"test.yaml:7: channels[2]: unknown key", `test.yaml:12: channels[4] (console "console"): output: unknown value "REDACTED"`,
				"test.yaml:13: stages[0][0]: names no channel", "test.yaml:13: stages[1][0]: names no channel",
				"test.yaml:13: stages[12][0]: names no channel"} {
				assert.Contains(t, msg, want)
			}
			assert.NotContains(t, msg, "REDACTED]")
			assert.NotContains(t, msg, "[REDACTED")
			assert.NotContains(t, msg, `"`+pw+`"`, "the password, where a fault quotes it, is hidden")
		})
	}
}
