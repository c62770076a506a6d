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
		{"double-quoted key", lines("channels: [console://]", `"a[b": *nope`), "test.yaml:2: a[b: unknown anchor"},
		{"single-quoted key", lines("channels: [console://]", `'a{b': *nope`), "test.yaml:2: a{b: unknown anchor"},
		{"escaped quote in a double-quoted value", lines("channels: [console://]", `x: ["a\"[b", *nope]`), "test.yaml:2: x: unknown anchor"},
		{"apostrophe in a double-quoted value", lines("channels: [console://]", `x: ["it's", *nope]`), "test.yaml:2: x: unknown anchor"},
		{"doubled quote in a single-quoted value", lines("channels: [console://]", `x: {a: 'it''s {b', c: *nope}`), "test.yaml:2: x: unknown anchor"},
	}
	assertExplainedNotClosing(t, tests)
}

// A syntax error on a line whose key is quoted names the key by its path,
// as it does for a plain key: before, it named no key at all. The key is
// written as a path writes keys elsewhere: one holding a terminal escape
// quoted, one shaped like a credential or a URL not written.
func TestSyntaxErrorNamesQuotedKey(t *testing.T) {
	const token = "abcdefghijklmnop123"
	tests := []struct{ name, yaml, want string }{
		{"double-quoted", lines("channels:", "  - kind: webhook", "    url: https://h.example.com/", "    allow_unsigned: true",
			"    headers:", `      "we b": [`), `test.yaml:6: channels[0].headers.we b: "[" not closed`},
		{"single-quoted", lines("channels: [console://]", "retry:", "  'x': {"), `test.yaml:3: retry.x: "{" not closed`},
		{"escapes", lines("channels: [console://]", "retry:", `  "m\x61x": {`), `test.yaml:3: retry.max: "{" not closed`},
		{"a doubled quote", lines("channels: [console://]", "retry:", `  'it''s': [`), `test.yaml:3: retry.it's: "[" not closed`},
		{"a bracket inside", lines("channels: [console://]", `"a[b": *nope`), `test.yaml:2: a[b: unknown anchor`},
		{"a list item", lines("channels:", `  - "kind": {`), `test.yaml:2: channels[0].kind: "{" not closed`},
		{"hostile", lines("channels: [console://]", `"\x1b[31mX\u202e": [`), `test.yaml:2: "\x1b[31mX\u202e": "[" not closed`},
		{"credential-shaped", lines("channels: [console://]", `"Authorization: Bearer `+token+`": [`),
			`test.yaml:2: <a key (not quoted: it may be a credential)>: "[" not closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), "\x1b")
		})
	}
}

// A comment ("# ..." after a space, outside quotes) is no part of the
// line's values: a bracket, brace or quote in it opens nothing, and the
// explanation of a syntax error on its line does not say it is not
// closed. Before, the comment's "[" and its unclosed quote were counted
// as the values'.
func TestSyntaxErrorCommentNotCounted(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"a bracket in a comment", lines("channels: [console://]", `x: {a: *nope} # see [1`), "test.yaml:2: x: unknown anchor"},
		{"a brace in a comment", lines("channels: [console://]", `x: *nope # {draft`), "test.yaml:2: x: unknown anchor"},
		{"a quote in a comment", lines("channels: [console://]", `x: [a, *nope] # the "ops`), "test.yaml:2: x: unknown anchor"},
		{"a single quote in a comment", lines("channels: [console://]", `x: [a, *nope]	# 'til Monday`), "test.yaml:2: x: unknown anchor"},
	}
	assertExplainedNotClosing(t, tests)
}

// A quoted scalar continued on the next line (valid YAML) is closed: the
// explanation of an error in the flow collection that holds it names the
// collection, not the quote. A quote left open, which the next quoted
// scalar's opening quote would close, is still named.
func TestSyntaxErrorQuoteContinuedIsClosed(t *testing.T) {
	tests := []struct{ name, yaml, want, not string }{
		{"double-quoted", lines("channels: [console://]", `x: ["a`, `  b" c]`), `test.yaml:2: x: "[" not closed, or a "," missing`, "quote not closed"},
		{"single-quoted", lines("channels: [console://]", `x: {a: 'it''s`, `  b' c}`), `test.yaml:2: x: "{" not closed, or a "," missing`, "quote not closed"},
		{"escaped line break", lines("channels: [console://]", `x: ["a\`, `  \"b" c]`), `test.yaml:2: x: "[" not closed, or a "," missing`, "quote not closed"},
		{"left open", lines("channels:", `  - {kind: console, name: "ops [#3]}`, `  - {kind: console, name: "b"}`), "test.yaml:2: quote not closed", `"{" not closed`},
		{"left open before a backslash", lines("channels:", "  - kind: console", `    name: "ops\`), "test.yaml:3: channels[0].name: quote not closed", `"{" not closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), tt.not)
		})
	}
}

// assertExplainedNotClosing checks that each test's file fails to load
// with an error containing its want, and not calling a bracket, a brace
// or a quote unclosed.
func assertExplainedNotClosing(t *testing.T, tests []struct{ name, yaml, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "not closed")
		})
	}
}
