package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A flag given an empty value (-config "$CONFIG" of a variable not set) is
// refused naming it, exit status 2, not read as the flag left out: with
// -config empty the bridge printed the updates on standard output and
// answered Alertmanager 200, so no alert reached a channel; with -state
// empty it kept no state; with -url empty it linked another page.
func TestEmptyFlagValueRefused(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // taken as the flag left out, the bridge stops before serving (130)
	for _, args := range [][]string{{"-config="}, {"-config", " "}, {"-state", ""}, {"-url="}} {
		var stdout, stderr strings.Builder
		code := run(ctx, nil, append([]string{"-listen", "127.0.0.1:0"}, args...), &stdout, &stderr)
		assert.Equal(t, 2, code, "%q", args)
		name, _, _ := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		assert.Contains(t, stderr.String(), "alertmanager-bridge: -"+name+": empty (leave -"+name+" out", "%q", args)
		assert.Empty(t, stdout.String(), "%q", args)
	}
}
