package statuspage

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain runs the tests, or, when the test binary is started again by a
// test as a child process (see child_test.go), the child's work.
func TestMain(m *testing.M) {
	// The files' times come from a clock of each Channel's that moves
	// only when a write waits for it: a burst of writes waits out no
	// seconds (see TestBurstKeepsFilesNotAheadOfTheClock).
	newClock = func() clock { return NewFakeClock(time.Now()) }
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	goleak.VerifyTestMain(m)
}
