package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag given with an empty value, most likely "$VAR" of a variable not
// set, is refused, naming the flag: taken as not given, -correct "$ID"
// would post the corrected text as a new update, -retract "$ID" would ask
// for a title, and -state "$STATE" would keep no state, so that the same
// command again would post everything twice.
func TestGivenEmptyExits2(t *testing.T) {
	h, cfg, state, _ := sentToHook(t, "-title", "T", "-status", "identified", "-body", "Wrong text.")
	send := []string{"-config", cfg, "-state", state, "-title", "T", "-status", "identified"}
	for _, name := range []string{"correct", "retract", "state", "config", "id", "incident", "url", "impact", "next"} {
		t.Run(name, func(t *testing.T) {
			args := append(append([]string{}, send...), "-body", "Right text.", "-"+name, "")
			if name == "retract" {
				args = []string{"-config", cfg, "-state", state, "-retract", " "}
			}
			r := announce(t, context.Background(), "", args...)
			assert.Equal(t, exitUsage, r.code, r.stdout)
			assert.Contains(t, r.stderr, "announce: -"+name+": empty (")
			require.Len(t, h.updates(), 1, "nothing sent")
		})
	}
}
