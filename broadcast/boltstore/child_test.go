package boltstore_test

import (
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// runChildIf runs run(path) and exits with its code when this process is
// a child a test started with env set to path (see startChild). An init
// function of the child's test file calls it.
func runChildIf(env string, run func(path string) int) {
	if path := os.Getenv(env); path != "" {
		os.Exit(run(path))
	}
}

// startChild starts this test binary again, running no test, with env
// set to path, so that the init function calling runChildIf(env, …) runs
// the child's part on the store at path. It returns the child, whose
// standard error is this process's, and the child's standard output. The
// caller kills and waits for it; should the test end first (a failed
// require), the test's cleanup kills it and waits.
func startChild(t *testing.T, env, path string) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, stdout
}
