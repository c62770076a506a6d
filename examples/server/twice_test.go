package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A flag that takes one value, given twice with different values (a
// command copied and a flag added, a unit file's flags and an override's),
// took the last one without a word: -config a.yaml … -config b.yaml ran
// with b's channels. It is exit status 2 naming the flag, before the
// database is reached, as in announce and the bridge; a URL given to it
// is not quoted (its password would show); the same value twice is fine,
// a switch's too (-poll-only -poll-only), but not -poll-only …
// -poll-only=false.
func TestFlagGivenTwiceRefused(t *testing.T) {
	const secret = "s3cr3t-PASSWORD"
	ok := map[string]string{tokensEnv: newToken, dsnEnv: "postgres://outagecast@" + closedPort(t) + "/outagecast"}
	env, _, errs := testEnv(ok)
	assert.Equal(t, 2, run(context.Background(), []string{"-workers", "2", "-listen", "127.0.0.1:0", "-workers", "3"}, env))
	assert.Contains(t, errs.String(), `server: -workers: given twice ("2", then "3"): give it once`)

	env, _, errs = testEnv(ok)
	assert.Equal(t, 2, run(context.Background(), []string{"-config", "https://u:" + secret + "@h.example/a.yaml", "-config", "b.yaml"}, env))
	assert.Contains(t, errs.String(), "server: -config: given twice, with two values (not quoted")
	assert.NotContains(t, errs.String(), secret)

	env, _, errs = testEnv(ok)
	assert.Equal(t, 1, run(context.Background(), []string{"-workers", "2", "-workers", "2", "-poll-only", "-poll-only",
		"-log-level", "info", "-log-level", "INFO"}, env), "the database is down")
	assert.NotContains(t, errs.String(), "given twice")

	env, _, errs = testEnv(ok)
	assert.Equal(t, 2, run(context.Background(), []string{"-poll-only", "-workers", "2", "-poll-only=false"}, env))
	assert.Contains(t, errs.String(), `server: -poll-only: given twice ("true", then "false"): give it once`)
}
