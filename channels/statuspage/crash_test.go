package statuspage

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startLoop starts a child that sends updates until killed, and returns
// the IDs it reports published, as they come.
func startLoop(t *testing.T, mode, dir string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := child(t, mode, dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	ids := make(chan string, 1000)
	go func() {
		defer close(ids)
		s := bufio.NewScanner(out)
		for s.Scan() {
			ids <- s.Text()
		}
	}()
	return cmd, ids
}

// inProgress reports whether dir holds the leftovers of a write cut
// short: a staging directory, or a version newer than the current one.
func inProgress(t *testing.T, dir string) bool {
	t.Helper()
	gen, err := readCurrent(dir)
	require.NoError(t, err)
	for _, name := range versionNames(t, dir) {
		if strings.HasPrefix(name, stagingPrefix) || name > versionName(gen) {
			return true
		}
	}
	return false
}

// A process killed (SIGKILL) at any moment of its writes leaves the
// complete old or the complete new site: every file parses, every link
// resolves, and every update it reported published is there.
func TestCrashMidWrite(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2)) // the same kill times on every run
	const kills = 20
	published := map[string]bool{}
	cut := 0
	for i := range kills {
		cmd, ids := startLoop(t, fmt.Sprintf("loop:k%d", i), dir)
		first, ok := <-ids // it is writing: its first update is out
		require.True(t, ok, "child %d ended before publishing", i)
		published[first] = true
		time.Sleep(time.Duration(rng.IntN(120_000)) * time.Microsecond)
		require.NoError(t, cmd.Process.Kill())
		for id := range ids {
			published[id] = true
		}
		_ = cmd.Wait()
		if inProgress(t, dir) {
			cut++
		}
		site, err := ParseSite(dir)
		require.NoError(t, err, "after kill %d the served site is not complete", i)
		updates := site.Updates()
		for id := range published {
			require.Contains(t, updates, id, "after kill %d: update %s was reported published", i, id)
		}
	}
	t.Logf("%d of %d kills cut a write short; %d updates published", cut, kills, len(published))
	assert.Positive(t, cut, "no kill cut a write short: nothing was tested")

	// The next write clears what the crashes left.
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("after", 0))
	assert.Len(t, versionNames(t, dir), 2, "the current and the previous version")
	site, err := ParseSite(dir)
	require.NoError(t, err)
	assert.Contains(t, site.Updates(), "after-0")
}

// A process killed at each step of a write leaves the old site until the
// swap and the new one after it; the next write clears what it left.
func TestCrashAtEachStep(t *testing.T) {
	for _, tc := range []struct {
		step string
		new  bool // the crashed update is on the site
	}{
		{"staged", false}, {"renamed", false}, {"swapped", true},
	} {
		t.Run(tc.step, func(t *testing.T) {
			dir := t.TempDir()
			c := newTestChannel(t, dir)
			send(t, c, ChildUpdate("base", 0))
			cmd := child(t, "crash:"+tc.step, dir)
			cmd.Stderr = os.Stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the child must die")
			status := exit.Sys().(syscall.WaitStatus)
			require.True(t, status.Signaled() && status.Signal() == syscall.SIGKILL, "killed at %s: %v", tc.step, err)
			assert.Equal(t, !tc.new, inProgress(t, dir), "leftovers of the cut write")

			site, err := ParseSite(dir)
			require.NoError(t, err)
			updates := site.Updates()
			assert.Contains(t, updates, "base-0")
			if tc.new {
				assert.Contains(t, updates, "crash-"+tc.step+"-0", "killed after the swap: the new site")
			} else {
				assert.NotContains(t, updates, "crash-"+tc.step+"-0", "killed before the swap: the old site")
			}

			send(t, c, ChildUpdate("base", 1))
			assert.False(t, inProgress(t, dir))
			assert.LessOrEqual(t, len(versionNames(t, dir)), 2)
			site, err = ParseSite(dir)
			require.NoError(t, err)
			assert.Contains(t, site.Updates(), "base-1")
		})
	}
}

// Processes writing one directory at once lose no update.
func TestConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	const procs, each = 4, 12
	var wg sync.WaitGroup
	errs := make([]error, procs)
	for i := range procs {
		cmd := child(t, fmt.Sprintf("send:p%d:%d", i, each), dir)
		cmd.Stderr = os.Stderr
		wg.Go(func() { errs[i] = cmd.Run() })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "process %d", i)
	}
	site, err := ParseSite(dir)
	require.NoError(t, err)
	updates := site.Updates()
	for i := range procs {
		for j := range each {
			assert.Contains(t, updates, fmt.Sprintf("p%d-%d", i, j))
		}
	}
	assert.Len(t, updates, procs*each)
}

// Goroutines sending through two Channels on one directory lose no
// update.
func TestConcurrentGoroutines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	chans := []*Channel{newTestChannel(t, dir), newTestChannel(t, dir)}
	const workers, each = 6, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := range each {
				send(t, chans[w%2], ChildUpdate(fmt.Sprintf("g%d", w), j))
			}
		})
	}
	wg.Wait()
	site, err := ParseSite(dir)
	require.NoError(t, err)
	assert.Len(t, site.Updates(), workers*each)
}
