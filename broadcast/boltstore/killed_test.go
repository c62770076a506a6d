package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// killedEnv names the store a child process of TestKilledWriterLosesNothing
// writes to until it is killed.
const killedEnv = "BOLTSTORE_TEST_KILLED_CHILD"

func init() { runChildIf(killedEnv, runKilledChild) }

// runKilledChild marks targets and saves receipts from 8 goroutines, their
// writes committed together, and prints a line for each call that
// returned nil, until it is killed.
func runKilledChild(path string) int {
	s, err := boltstore.Open(path, nil)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for i := 0; ; i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				kind := "mark"
				err := s.Mark(ctx, "u1", "email", id, nil)
				if i%4 == 0 {
					kind = "receipt"
					err = s.SaveReceipt(ctx, "inc", id, broadcast.Receipt{Channel: "x", ID: id})
				}
				if err != nil {
					os.Stderr.WriteString(err.Error() + "\n")
					os.Exit(2)
				}
				mu.Lock()
				_, err = fmt.Printf("%s %s\n", kind, id)
				mu.Unlock()
				if err != nil {
					os.Exit(2)
				}
			}
		})
	}
	wg.Wait()
	return 0
}

// A process killed while it writes loses nothing that a Mark or a
// SaveReceipt returned nil for: every write acknowledged is in the file
// when it is opened again, whole, with the thread of the receipts.
func TestKilledWriterLosesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd, stdout := startChild(t, killedEnv, path)
	lines := bufio.NewScanner(stdout)
	var acked []string
	for len(acked) < 2000 && lines.Scan() {
		acked = append(acked, lines.Text())
	}
	require.NoError(t, cmd.Process.Kill())
	for lines.Scan() { // what the child printed before it died
		acked = append(acked, lines.Text())
	}
	_ = cmd.Wait()
	require.Equal(t, -1, cmd.ProcessState.ExitCode(), "the child died of the signal")
	require.GreaterOrEqual(t, len(acked), 2000)

	s, err := boltstore.Open(path, &boltstore.Options{Verify: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	receipts := 0
	for _, line := range acked {
		kind, id, ok := strings.Cut(line, " ")
		require.True(t, ok, line)
		if kind == "mark" {
			done, failure, err := s.Done(ctx, "u1", "email", id)
			require.NoError(t, err)
			assert.True(t, done && failure == "", "mark of %s", id)
			continue
		}
		receipts++
		r, found, err := s.Receipt(ctx, id, "x")
		require.NoError(t, err)
		assert.True(t, found && r.ID == id, "receipt of %s", id)
	}
	th, err := s.Thread(ctx, "inc", "x")
	require.NoError(t, err)
	assert.False(t, th.Root.IsZero() || th.Last.IsZero(), "the thread of %d receipts", receipts)
}
