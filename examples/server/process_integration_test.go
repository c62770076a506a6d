//go:build integration

package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The program as operators run it: it serves until SIGTERM, then shuts
// down cleanly and exits 0.
func TestSIGTERMStopsTheServerCleanly(t *testing.T) {
	dep := newDeployment(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=-listen 127.0.0.1:0 -config "+dep.config)
	for k, v := range dep.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The log's first lines, up to the address it listens on.
	var log strings.Builder
	lines := bufio.NewScanner(stderr)
	r := &replica{}
	for r.url == "" && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if _, after, ok := strings.Cut(lines.Text(), " url="); ok && strings.Contains(lines.Text(), "msg=listening") {
			r.url, _, _ = strings.Cut(after, " ")
		}
	}
	require.NotEmpty(t, r.url, "the server did not start: %s", log.String())

	acc := r.post(t, "/v1/updates", update)
	st := r.await(t, acc.Links.Self)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, err := io.ReadAll(stderr)
	require.NoError(t, err)
	log.Write(rest)
	require.NoError(t, cmd.Wait(), "exit status 0 after SIGTERM: %s", log.String())
	assert.Contains(t, log.String(), "msg=\"shutting down\"")
	assert.Contains(t, log.String(), "msg=stopped")
	for _, secret := range []string{oldToken, newToken, dep.rc.secret.Reveal()} {
		assert.NotContains(t, log.String(), secret)
	}
}
