package boltstore_test

// The crash test: a child process (this test binary, run again) broadcasts
// one update to 2,000 recipients through a Store in a file and is killed
// with SIGKILL about half-way. The same update is then sent again, and every
// recipient must have received it at least once, the second run must have
// delivered to exactly the recipients the Store did not have marked, and no
// more recipients may have received it twice than were in flight at the
// kill.
//
// The recipients' side is a stand-in: an append-only log, written with
// O_SYNC, one line per delivery. crashChannel, deliveredCount and
// readDeliveries are the only functions that know about it.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

const (
	crashEnv        = "BOLTSTORE_CRASH_CHILD" // set in the child: its crashConfig as JSON
	crashRecipients = 2000
	crashLineLen    = len("rcpt-0000@example.com\n")
)

// crashConfig is what a run of the crash test needs, in the child and in
// the test.
type crashConfig struct {
	Dir     string        // holds the store and the deliveries
	Workers int           // deliveries in flight at once
	Latency time.Duration // how long one delivery takes before it lands
}

func (c crashConfig) storePath() string { return filepath.Join(c.Dir, "state.db") }
func (c crashConfig) logPath() string   { return filepath.Join(c.Dir, "deliveries.log") }

func crashRecipient(i int) string { return fmt.Sprintf("rcpt-%04d@example.com", i) }

var crashUpdate = broadcast.Update{
	ID:         "u-crash-1",
	IncidentID: "cdn-errors",
	Title:      "Elevated CDN error rates",
	Status:     broadcast.StatusInvestigating,
	Body:       "We are investigating elevated error rates on the CDN.",
}

func TestCrashMidSendResendsOnlyWhatWasInFlight(t *testing.T) {
	tests := []struct {
		workers int
		latency time.Duration // slows the run down enough to kill it half-way
	}{
		{workers: 1},
		{workers: 8, latency: time.Millisecond},
	}
	for _, tt := range tests {
		workers := tt.workers
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			cfg := crashConfig{Dir: t.TempDir(), Workers: workers, Latency: tt.latency}
			first := killMidway(t, cfg)
			marked := markedRecipients(t, cfg)

			rep, err := sendOnce(cfg)
			require.NoError(t, err)
			assert.False(t, rep.Results[0].Skipped, "the channel was not done: it resumes")
			second := readDeliveries(t, cfg)[len(first):]
			checkResume(t, workers, first, marked, second)

			rep, err = sendOnce(cfg)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped, "a third send delivers nothing")
			assert.Len(t, readDeliveries(t, cfg), len(first)+len(second))
		})
	}
}

// checkResume checks the second run's deliveries against the first's and
// against what the store had marked in between.
func checkResume(t *testing.T, workers int, first []string, marked map[string]bool, second []string) {
	t.Helper()
	got := map[string]int{}
	for _, r := range first {
		got[r]++
	}
	assert.Len(t, got, len(first), "the first run delivered to nobody twice")
	for r := range marked {
		assert.Equal(t, 1, got[r], "%s was marked, so it was delivered before the kill", r)
	}
	again := 0
	for _, r := range second {
		assert.False(t, marked[r], "%s was marked delivered, yet sent again", r)
		if got[r] > 0 {
			again++
		}
		got[r]++
	}
	assert.Len(t, second, crashRecipients-len(marked), "the second run delivers to exactly the recipients not marked")
	assert.LessOrEqual(t, again, workers, "only deliveries in flight at the kill are repeated")
	for i := range crashRecipients {
		r := crashRecipient(i)
		assert.GreaterOrEqual(t, got[r], 1, "%s received nothing", r)
	}
	t.Logf("killed after %d deliveries, %d marked; resumed with %d; %d received it twice",
		len(first), len(marked), len(second), again)
}

// killMidway runs the child until about half the recipients have the
// update, kills it with SIGKILL, and returns what was delivered by then.
func killMidway(t *testing.T, cfg crashConfig) []string {
	t.Helper()
	env, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+string(env))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	hang := time.After(2 * time.Minute)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			t.Fatalf("the child ended before the kill (%v): %s", err, out.String())
		case <-hang:
			require.NoError(t, cmd.Process.Kill())
			<-exited
			t.Fatalf("the child delivered too little in 2 minutes: %s", out.String())
		case <-tick.C:
		}
		if deliveredCount(cfg) >= crashRecipients/2 {
			break
		}
	}
	require.NoError(t, cmd.Process.Kill())
	<-exited
	require.Equal(t, -1, cmd.ProcessState.ExitCode(), "the child died of the signal: %s", out.String())
	delivered := readDeliveries(t, cfg)
	require.Less(t, len(delivered), crashRecipients, "the child was killed before it was done")
	return delivered
}

// markedRecipients returns the recipients the store has marked done.
func markedRecipients(t *testing.T, cfg crashConfig) map[string]bool {
	t.Helper()
	s, err := boltstore.Open(cfg.storePath(), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	marked := map[string]bool{}
	for i := range crashRecipients {
		done, err := s.Done(context.Background(), crashUpdate.ID, "email", crashRecipient(i))
		require.NoError(t, err)
		if done {
			marked[crashRecipient(i)] = true
		}
	}
	return marked
}

// crashChildRequested reports whether this process is the crash test's
// child.
func crashChildRequested() bool { return os.Getenv(crashEnv) != "" }

// runCrashChild is the child's whole life: one send, which the test kills
// half-way. It returns the process's exit code.
func runCrashChild() int {
	var cfg crashConfig
	if err := json.Unmarshal([]byte(os.Getenv(crashEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	if _, err := sendOnce(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 1
	}
	return 0
}

// sendOnce sends crashUpdate to every recipient through a Broadcaster with
// the Store in cfg.Dir, as a program would, and closes everything.
func sendOnce(cfg crashConfig) (*broadcast.Report, error) {
	store, err := boltstore.Open(cfg.storePath(), nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	ch, err := crashChannel(cfg)
	if err != nil {
		return nil, err
	}
	b, err := broadcast.New([]broadcast.Channel{ch},
		broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}, AttemptTimeout: 5 * time.Minute})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return b.Send(context.Background(), crashUpdate)
}

// crashChannel returns the channel under test: an "email" channel fanning
// out to every recipient, cfg.Workers at a time, through the Ledger.
func crashChannel(cfg crashConfig) (broadcast.Channel, error) {
	log, err := os.OpenFile(cfg.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_SYNC, 0o600)
	if err != nil {
		return nil, err
	}
	recipients := make([]string, crashRecipients)
	for i := range recipients {
		recipients[i] = crashRecipient(i)
	}
	return &fanout{name: "email", recipients: recipients, workers: cfg.Workers, log: log, latency: cfg.Latency}, nil
}

// deliveredCount returns how many deliveries have landed so far, while the
// child is running.
func deliveredCount(cfg crashConfig) int {
	fi, err := os.Stat(cfg.logPath())
	if err != nil {
		return 0
	}
	return int(fi.Size()) / crashLineLen
}

// readDeliveries returns the recipients in the order they received the
// update.
func readDeliveries(t *testing.T, cfg crashConfig) []string {
	t.Helper()
	b, err := os.ReadFile(cfg.logPath())
	require.NoError(t, err)
	require.True(t, len(b) == 0 || b[len(b)-1] == '\n', "no torn delivery")
	return strings.Fields(string(b))
}

// fanout delivers to each recipient the Ledger does not have done, marking
// each delivered as soon as it has landed, like a channel that sends one
// e-mail per recipient. A delivery lands when its line is in the log.
type fanout struct {
	name       string
	recipients []string
	workers    int
	latency    time.Duration
	log        *os.File
}

func (f *fanout) Name() string { return f.name }

// Close closes the log; the Broadcaster calls it.
func (f *fanout) Close() error { return f.log.Close() }

func (f *fanout) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	todo := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range f.workers {
		wg.Go(func() {
			for r := range todo {
				if err := f.deliver(m.Ledger, r); err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, r := range f.recipients {
		if m.Ledger.Done(r) {
			continue
		}
		select {
		case todo <- r:
		case <-ctx.Done():
			mu.Lock()
			firstErr = cmp.Or(firstErr, ctx.Err())
			mu.Unlock()
			break feed
		}
	}
	close(todo)
	wg.Wait()
	return broadcast.Receipt{Channel: f.name}, firstErr
}

func (f *fanout) deliver(l broadcast.Ledger, r string) error {
	if f.latency > 0 {
		time.Sleep(f.latency) // the SMTP transaction, up to the server's "250 OK"
	}
	if _, err := f.log.WriteString(r + "\n"); err != nil {
		return err
	}
	return l.MarkDelivered(r)
}
