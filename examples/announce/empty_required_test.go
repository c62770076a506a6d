package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// -title "$TITLE" or -status "$STATUS" of a variable not set is an error
// that says the flag was given empty, as for every other flag, rather than
// "missing", which reads as the flag left out of a command that has it.
func TestRequiredFlagGivenEmpty(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-title", "", "-status", "investigating"}, "announce: -title: empty (give the incident's title)"},
		{[]string{"-title", " \t", "-status", "investigating"}, "announce: -title: empty (give the incident's title)"},
		{[]string{"-title", "T", "-status", ""}, "announce: -status: empty (want investigating, identified,"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			r := announce(t, context.Background(), "", tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stdout)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
		})
	}
}
