package boltstore_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// attemptEnv names the store a child process of
// TestKilledMidAttemptNextRunLooksFirst sends through, its channel called
// and never answering, until the child is killed.
const attemptEnv = "BOLTSTORE_TEST_ATTEMPT_CHILD"

func init() { runChildIf(attemptEnv, runAttemptChild) }

// hangingChannel says "called" on standard output once it is called, and
// never answers: the process is killed with the post's outcome unknown.
type hangingChannel struct{}

func (hangingChannel) Name() string { return "x" }

func (hangingChannel) Send(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
	os.Stdout.WriteString("called\n")
	<-ctx.Done()
	select {} // the kill ends it
}

func runAttemptChild(path string) int {
	s, err := boltstore.Open(path, nil)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	b, err := broadcast.New([]broadcast.Channel{hangingChannel{}}, broadcast.Options{Store: s})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	_, _ = b.Send(context.Background(), attemptUpdate)
	return 2
}

var attemptUpdate = broadcast.Update{
	ID:         "u-killed-1",
	IncidentID: "cdn-errors",
	Title:      "Elevated CDN error rates",
	Status:     broadcast.StatusInvestigating,
	Body:       "We are investigating elevated error rates on the CDN.",
}

// recordingChannel records each Message.Attempt it is called with, and
// posts.
type recordingChannel struct {
	mu       sync.Mutex
	attempts []int
}

func (c *recordingChannel) Name() string { return "x" }

func (c *recordingChannel) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempts = append(c.attempts, m.Attempt)
	return broadcast.Receipt{Channel: "x", ID: "post-1"}, nil
}

// A process killed while its channel's attempt is under way (after the
// Broadcaster recorded the attempt, before any receipt) leaves the file
// saying so: the next process's Send of the update calls the channel with
// Attempt 2, so that a channel whose platform takes no idempotency key
// looks for the post the killed attempt may have made before posting
// again; and it delivers once, a third Send skipping it.
func TestKilledMidAttemptNextRunLooksFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd, stdout := startChild(t, attemptEnv, path)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		require.NoError(t, err)
	}
	require.Equal(t, "called\n", line)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	s, err := boltstore.Open(path, &boltstore.Options{Verify: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ch := &recordingChannel{}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: s})
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	ctx := context.Background()
	rep, err := b.Send(ctx, attemptUpdate)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.False(t, rep.Results[0].Skipped, "the killed attempt recorded no delivery")
	rep, err = b.Send(ctx, attemptUpdate)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "delivered once")
	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []int{2}, ch.attempts, "the next run counts the killed attempt, and posts once")
}
