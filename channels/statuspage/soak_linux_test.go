package statuspage_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// openFiles counts the process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(fds)
}

// A page published hundreds of times, with retractions among the
// updates, leaves no file or lock open: each publish closes what it
// opened.
func TestSoakPublishLeavesNoFileOpen(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("warm", "w", 0, broadcast.StatusInvestigating)) // the first publish's one-time costs
	before := openFiles(t)
	for i := range 80 {
		r := p.send(update(fmt.Sprintf("inc-%d", i%20), fmt.Sprintf("u-%d", i), i, broadcast.StatusIdentified))
		if i%5 == 4 {
			require.NoError(t, p.ch.Retract(context.Background(), r))
		}
	}
	require.NoError(t, p.ch.Check(context.Background()))
	// Other tests' descriptors in other goroutines do not run here; a leak
	// of one per publish would show as 80 or more.
	assert.LessOrEqual(t, openFiles(t), before+3)
}
