package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -check says where a console channel writes in this run: with -json,
// which keeps standard output for the JSON, a console set to write to
// standard output writes to standard error, and -check -json says so. A
// console set to standard error, and any console without -json, is
// described as configured.
func TestCheckDescribesWhereConsolesWrite(t *testing.T) {
	configured := func(r result) map[string]string {
		t.Helper()
		var results []checkResult
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &results), r.stdout)
		out := map[string]string{}
		for _, c := range results {
			out[c.Channel] = c.Configured
		}
		return out
	}
	r := announce(t, context.Background(), "", "-check", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]string{"console": "stderr (stdout without -json), template text"}, configured(r))

	cfg := writeConfig(t, "channels:\n  - kind: console\n    name: out\n  - kind: console\n    name: err\n    output: stderr\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-check", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]string{"out": "stderr (stdout without -json), template text", "err": "stderr, template text"}, configured(r))

	r = announce(t, context.Background(), "", "-config", cfg, "-check")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^out +stdout, template text  `, r.stdout)
	assert.Regexp(t, `(?m)^err +stderr, template text  `, r.stdout)
}

// A console has nothing to check, which is no failure: -check -json gives
// the reason as the result's detail, with no error, so that a reader that
// takes an "error" for a fault does not report the console; a channel
// that could be checked only by posting still gives its reason as the
// error.
func TestCheckJSONConsoleReasonIsNoError(t *testing.T) {
	r := announce(t, context.Background(), "", "-check", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var results []checkResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &results), r.stdout)
	require.Len(t, results, 1)
	assert.Equal(t, "nothing to check", results[0].Outcome)
	assert.Empty(t, results[0].Error)
	assert.Contains(t, results[0].Detail, "reaching no server")

	r = announce(t, context.Background(), "", "-check")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "nothing to check: writes to the output it is configured with, reaching no server, with no credentials")
}
