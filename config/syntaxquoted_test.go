package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A "[", "{" or quote inside a quoted scalar (a key or a value,
// double-quoted with backslash escapes or single-quoted with a single
// quote doubled) opens nothing: the explanation of a syntax error on its line
// does not say it is not closed. Before, the brackets and quotes of the
// whole line were counted, those inside quotes and escaped ones too.
func TestSyntaxErrorBracketsInQuotesNotCounted(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"double-quoted key", lines("channels: [console://]", `"a[b": *nope`), "test.yaml:2: unknown anchor"},
		{"single-quoted key", lines("channels: [console://]", `'a{b': *nope`), "test.yaml:2: unknown anchor"},
		{"escaped quote in a double-quoted value", lines("channels: [console://]", `x: ["a\"[b", *nope]`), "test.yaml:2: x: unknown anchor"},
		{"apostrophe in a double-quoted value", lines("channels: [console://]", `x: ["it's", *nope]`), "test.yaml:2: x: unknown anchor"},
		{"doubled quote in a single-quoted value", lines("channels: [console://]", `x: {a: 'it''s {b', c: *nope}`), "test.yaml:2: x: unknown anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "not closed")
		})
	}
}
