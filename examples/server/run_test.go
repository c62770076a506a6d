package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testEnv is an environment of vars, its output in buffers.
func testEnv(vars map[string]string) (environ, *strings.Builder, *strings.Builder) {
	var out, errs strings.Builder
	return environ{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		stdout: &syncWriter{w: &out}, stderr: &syncWriter{w: &errs}}, &out, &errs
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRunRefusesBadFlagsAndEnvironment(t *testing.T) {
	badConfig := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(badConfig, []byte("channels:\n  - kind: console\n    outptu: stderr\n"), 0o600))
	manyAttempts := filepath.Join(t.TempDir(), "attempts.yaml")
	require.NoError(t, os.WriteFile(manyAttempts, []byte("channels:\n  - kind: console\nretry:\n  max_attempts: 40000\n"), 0o600))
	quickRetries := filepath.Join(t.TempDir(), "quick.yaml")
	require.NoError(t, os.WriteFile(quickRetries, []byte("channels:\n  - kind: console\nretry:\n  max_elapsed: 30m\n"), 0o600))
	ok := map[string]string{tokensEnv: newToken, dsnEnv: "postgres://outagecast@" + closedPort(t) + "/outagecast"}
	without := func(k string) map[string]string {
		m := map[string]string{}
		for kk, v := range ok {
			if kk != k {
				m[kk] = v
			}
		}
		return m
	}
	tests := []struct {
		name string
		args []string
		vars map[string]string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-listn", ":1"}, ok, 2, "flag provided but not defined: -listn"},
		{"argument", []string{"serve"}, ok, 2, `unexpected argument "serve"`},
		{"listen without a port", []string{"-listen", "8070"}, ok, 2, `-listen: "8070": want host:port, as 127.0.0.1:8070`},
		// Refused before the database is reached, as statuspage and the
		// bridge refuse it: it failed only at the listen, exit status 1.
		{"listen port out of range", []string{"-listen", "127.0.0.1:99999"}, ok, 2, `-listen: "127.0.0.1:99999": want host:port, as 127.0.0.1:8070`},
		// A port that is no service name net.Listen knows, as the
		// bridge and the webhook receiver refuse it.
		{"listen unknown service", []string{"-listen", "127.0.0.1:no-such-service-here"}, ok, 2, `-listen: "127.0.0.1:no-such-service-here": want host:port, as 127.0.0.1:8070`},
		{"workers", []string{"-workers", "0"}, ok, 2, "-workers: must be at least 1"},
		// Refused before the database is reached, naming the flag: dispatch
		// refused it only once connected, as Config.Workers, exit status 1.
		{"too many workers", []string{"-workers", "20000"}, ok, 2, "-workers: at most 10000"},
		{"max body", []string{"-max-body", "0"}, ok, 2, "-max-body: must be at least 1"},
		{"negative rate limit", []string{"-rate-limit", "-1"}, ok, 2, "-rate-limit: negative; 0 means no limit"},
		{"rate limit too high", []string{"-rate-limit", "60000000001"}, ok, 2, "-rate-limit: more than 60000000000 a minute"},
		{"no burst", []string{"-rate-burst", "0"}, ok, 2, "-rate-burst: must be at least 1"},
		{"log level", []string{"-log-level", "loud"}, ok, 2, `invalid value "loud" for flag -log-level: want debug, info, warn or error`},
		{"no tokens", nil, without(tokensEnv), 2, "OUTAGECAST_API_TOKENS: not set"},
		{"short token", nil, map[string]string{tokensEnv: "abc", dsnEnv: ok[dsnEnv]}, 2, "token 1 of 1: shorter than 16 characters"},
		{"no database", nil, without(dsnEnv), 2, "DATABASE_URL: not set"},
		{"no database to migrate", []string{"-migrate"}, without(dsnEnv), 2, "DATABASE_URL: not set"},
		{"bad configuration", []string{"-config", badConfig}, ok, 2, `bad.yaml:3: channels[0]: unknown key "outptu"`},
		// Refused before the database is reached, naming the file's key
		// at its line, as the config package's errors do:
		// dispatch refused it only once connected, as Config.Retry.MaxAttempts.
		{"too many attempts", []string{"-config", manyAttempts}, ok, 2, "attempts.yaml:4: retry.max_attempts: 40000, at most 32757"},
		// Pruning would remove the marks of an update still being retried
		// (6h by default), which would then be posted again to whom it
		// reached: "1m" is easily typed for a month.
		{"keep within retries", []string{"-keep", "1m"}, ok, 2,
			"-keep: 1m0s, not longer than an update is retried (retry.max_elapsed: 6h0m0s)"},
		{"keep within the file's retries", []string{"-keep", "30m", "-config", quickRetries}, ok, 2,
			"-keep: 30m0s, not longer than an update is retried (retry.max_elapsed: 30m0s)"},
		{"keep beyond the file's retries", []string{"-keep", "31m", "-config", quickRetries}, ok, 1, "database: failed to connect"},
		{"database down", nil, ok, 1, "database: failed to connect"},
		{"database down, migrating", []string{"-migrate"}, ok, 1, "database: failed to connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, errs := testEnv(tt.vars)
			assert.Equal(t, tt.code, run(context.Background(), tt.args, env))
			assert.Contains(t, errs.String(), tt.msg)
		})
	}
}

func TestRunHelp(t *testing.T) {
	env, out, _ := testEnv(nil)
	assert.Equal(t, 0, run(context.Background(), []string{"-help"}, env))
	assert.Contains(t, out.String(), "Usage: server")
	assert.Contains(t, out.String(), "-shutdown-timeout")
}

// -keep's help says what becomes of an update older than it: the Limits
// section of the package comment, which it once pointed to, is not in the
// help a user reads.
func TestRunHelpSaysWhatKeepForgets(t *testing.T) {
	env, out, _ := testEnv(nil)
	assert.Equal(t, 0, run(context.Background(), []string{"-help"}, env))
	help := strings.Join(strings.Fields(out.String()), " ")
	assert.NotContains(t, help, "see Limits")
	assert.Contains(t, help, "an older update is unknown to GET, correct and retract, and queued anew if posted again")
}

// The connection string's password never shows, whatever goes wrong with
// it.
func TestDatabasePasswordIsNeverPrinted(t *testing.T) {
	const password = "pw-9f8e7d6c5b4a"
	for _, dsn := range []string{
		"postgres://outagecast:" + password + "@" + closedPort(t) + "/outagecast",
		"host=127.0.0.1 port=" + strings.Split(closedPort(t), ":")[1] + " user=outagecast password=" + password,
		"postgres://outagecast:" + password + "@127.0.0.1:notaport/outagecast",
		"host=127.0.0.1 port=x password=" + password,
		// pgx's own masking of a string it cannot parse misses these.
		"host=127.0.0.1 port=1 user=outagecast password='it\\'s " + password + "' sslmode=bogus",
		"host=127.0.0.1 port=1 user=outagecast password = " + password + " sslmode=bogus",
	} {
		for _, args := range [][]string{nil, {"-migrate"}} {
			env, out, errs := testEnv(map[string]string{tokensEnv: newToken, dsnEnv: dsn})
			assert.NotEqual(t, 0, run(context.Background(), args, env))
			assert.NotEmpty(t, errs.String())
			assert.NotContains(t, errs.String()+out.String(), password, "%s", errs)
		}
	}
}

// pgx ends a URL's user information at its first "@": the rest of a
// password holding an unescaped "@" became the host, which the server
// looked up in the DNS and printed ("lookup 7d6c5b4a@127.0.0.1").
func TestAnAtInTheDatabasePasswordIsNeverPrinted(t *testing.T) {
	const tail = "7d6c5b4a-pw"
	for _, dsn := range []string{
		"postgres://outagecast:pw-9f8e@" + tail + "@" + closedPort(t) + "/outagecast",
		"postgres://outagecast:pw-9f8e@" + tail + "@127.0.0.1/outagecast",
		"postgres://outagecast:pw-9f8e@" + tail + "@db.invalid,127.0.0.1/outagecast",
	} {
		for _, args := range [][]string{nil, {"-migrate"}} {
			env, out, errs := testEnv(map[string]string{tokensEnv: newToken, dsnEnv: dsn})
			assert.Equal(t, 2, run(context.Background(), args, env), "a bad DATABASE_URL is a usage error")
			assert.Contains(t, errs.String(), "%40", "says how to write it")
			assert.NotContains(t, errs.String()+out.String(), tail, "%s", errs)
		}
	}
}

// The README's configuration loads, with its secret from the environment.
func TestLocalConfigLoads(t *testing.T) {
	env, _, _ := testEnv(map[string]string{"WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
	f, err := loadConfig(&options{config: "local.yaml"}, env)
	require.NoError(t, err)
	require.Len(t, f.Channels, 1)
	assert.Equal(t, "webhook", f.Channels[0].Name())
}

// Ctrl-C before the server serves (while it connects to the database,
// which may take up to connect_timeout) or during -migrate is an
// interruption, said as one and exiting 130, not a database failure
// ("database: context canceled") exiting 1.
func TestInterruptedBeforeServing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the first Ctrl-C
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{nil, "server: interrupted before serving: nothing was queued\n"},
		{[]string{"-migrate"}, "server: -migrate: interrupted: run it again to finish the migration\n"},
	} {
		env, out, errs := testEnv(map[string]string{tokensEnv: newToken,
			dsnEnv: "postgres://outagecast@" + closedPort(t) + "/outagecast"})
		assert.Equal(t, 130, run(ctx, tt.args, env), "%v: %s", tt.args, errs)
		assert.Equal(t, tt.msg, errs.String(), "%v", tt.args)
		assert.Empty(t, out.String())
	}
}
