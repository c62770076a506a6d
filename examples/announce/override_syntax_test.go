package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An -override without "=", or with nothing before it, says which flag,
// what was given and what is wanted, without a quoted value that reads as
// the channel's name. Before: -override: "Short text": want CHANNEL=TEXT,
// as x=Short text for X.
func TestOverrideWithoutChannelSaysWhatIsWanted(t *testing.T) {
	for given, want := range map[string]string{
		"Short text":  `announce: -override: given "Short text", which has no "=": want CHANNEL=TEXT, as -override "x=Short text for X"`,
		"=Short text": `announce: -override: given "=Short text", which names no channel before "=": want CHANNEL=TEXT, as -override "x=Short text for X"`,
	} {
		r := announce(t, context.Background(), "", "-title", "T", "-status", "identified", "-override", given)
		assert.Equal(t, exitUsage, r.code, given)
		assert.Contains(t, r.stderr, want)
		assert.Empty(t, r.stdout, given)
	}
}
