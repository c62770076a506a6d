package main

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
)

// An -override whose channel name holds a control character is refused
// with the name quoted, whatever else is wrong with it: with an empty
// text, or given twice, the name was printed as typed, and an escape
// sequence or a line break in it reached the terminal raw.
func TestOverrideBadNameQuotedWithEmptyTextOrTwice(t *testing.T) {
	const name = "a\x1b[2J\nb"
	want := `announce: -override: channel name "a\x1b[2J\nb": holds a control character`
	for _, given := range [][]string{{name + "="}, {name + "= "}, {name + "=A", name + "=B"}} {
		args := []string{"-title", "T", "-status", "identified"}
		for _, v := range given {
			args = append(args, "-override", v)
		}
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitUsage, r.code, "%q", given)
		assert.Contains(t, r.stderr, want, "%q", given)
		assert.False(t, strings.ContainsFunc(strings.ReplaceAll(r.stderr, "\n", ""), unicode.IsControl), "%q: %q", given, r.stderr)
		assert.Equal(t, 2, strings.Count(r.stderr, "\n"), "%q: %q", given, r.stderr)
		assert.Empty(t, r.stdout)
	}
}
