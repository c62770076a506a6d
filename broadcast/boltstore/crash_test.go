package boltstore_test

// The crash test: a child process (this test binary, run again) broadcasts
// one update by e-mail to 2,000 recipients through a Store in a file and is
// killed with SIGKILL about half-way. The same update is then sent again,
// and every recipient must have received it at least once, the second run
// must have delivered to exactly the recipients the Store did not have
// marked, and no more recipients may have received it twice than were in
// flight at the kill: one per SMTP connection.
//
// The channel is the real email channel; the recipients' side is an SMTP
// sink (smtpSink) that this process runs.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/channels/email"
)

const (
	crashEnv        = "BOLTSTORE_CRASH_CHILD" // set in the child: its crashConfig as JSON
	crashRecipients = 2000
	crashHang       = 2 * time.Minute // a run that takes longer has hung
)

// crashConfig is what a run of the crash test needs, in the child and in
// the test.
type crashConfig struct {
	Dir         string // holds the store
	Port        int    // of the SMTP sink, on 127.0.0.1
	Concurrency int    // SMTP connections: messages in flight at once
}

func (c crashConfig) storePath() string { return filepath.Join(c.Dir, "state.db") }

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
		concurrency int
		latency     time.Duration // before each 250 after DATA: widens the window a kill can land in
	}{
		{concurrency: 1},
		{concurrency: 8, latency: time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("concurrency=%d", tt.concurrency), func(t *testing.T) {
			sink := newSMTPSink(t, tt.latency, crashRecipients/2)
			cfg := crashConfig{Dir: t.TempDir(), Port: sink.port(), Concurrency: tt.concurrency}
			killMidway(t, cfg, sink)
			first := sink.received()
			marked := markedRecipients(t, cfg)

			rep, err := sendOnce(cfg)
			require.NoError(t, err)
			require.NoError(t, rep.Results[0].Err)
			assert.False(t, rep.Results[0].Skipped, "the channel was not done: it resumes")
			second := sink.received()[len(first):]
			checkResume(t, cfg.Concurrency, first, marked, second)
			checkThreaded(t, cfg, rep.Results[0].Receipt)

			rep, err = sendOnce(cfg)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped, "a third send delivers nothing")
			assert.Len(t, sink.received(), len(first)+len(second))
		})
	}
}

// checkResume checks the second run's deliveries against the first's and
// against what the store had marked in between.
func checkResume(t *testing.T, inFlight int, first []string, marked map[string]bool, second []string) {
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
	assert.LessOrEqual(t, again, inFlight, "only the messages in flight at the kill are sent twice")
	for i := range crashRecipients {
		r := crashRecipient(i)
		assert.GreaterOrEqual(t, got[r], 1, "%s received nothing", r)
		assert.LessOrEqual(t, got[r], 2, "%s received it more than twice", r)
	}
	t.Logf("killed after %d deliveries, %d marked; resumed with %d; %d received it twice",
		len(first), len(marked), len(second), again)
}

// checkThreaded checks that the store has the resumed send's receipt as
// the update's and as the incident's first and latest post.
func checkThreaded(t *testing.T, cfg crashConfig, want broadcast.Receipt) {
	t.Helper()
	s, err := boltstore.Open(cfg.storePath(), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	require.NotEmpty(t, want.ID, "the e-mail's Message-ID")
	got, found, err := s.Receipt(ctx, crashUpdate.ID, email.DefaultName)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, want.ID, got.ID)
	th, err := s.Thread(ctx, crashUpdate.IncidentID, email.DefaultName)
	require.NoError(t, err)
	assert.Equal(t, [2]string{want.ID, want.ID}, [2]string{th.Root.ID, th.Last.ID}, "Root and Last")
}

// killMidway runs the child until the sink has accepted about half the
// messages, kills it with SIGKILL, and waits until the sink has read
// everything the child sent.
func killMidway(t *testing.T, cfg crashConfig, sink *smtpSink) {
	t.Helper()
	env, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+string(env))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	select {
	case err := <-exited:
		t.Fatalf("the child ended before the kill (%v): %s", err, out.String())
	case <-time.After(crashHang):
		require.NoError(t, cmd.Process.Kill())
		<-exited
		t.Fatalf("the child delivered too little in %v: %s", crashHang, out.String())
	case <-sink.reached():
	}
	require.NoError(t, cmd.Process.Kill())
	<-exited
	require.Equal(t, -1, cmd.ProcessState.ExitCode(), "the child died of the signal: %s", out.String())
	// The child's connections are closed now; the sink still reads what
	// they carried until it sees their end.
	require.Eventually(t, func() bool { return sink.sessions() == 0 }, crashHang, time.Millisecond,
		"the sink's sessions end after the kill")
	require.Less(t, len(sink.received()), crashRecipients, "the child was killed before it was done")
}

// markedRecipients returns the recipients the store has marked done.
func markedRecipients(t *testing.T, cfg crashConfig) map[string]bool {
	t.Helper()
	s, err := boltstore.Open(cfg.storePath(), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	marked := map[string]bool{}
	for i := range crashRecipients {
		done, failure, err := s.Done(context.Background(), crashUpdate.ID, email.DefaultName, crashRecipient(i))
		require.NoError(t, err)
		require.Empty(t, failure, "the sink accepts every recipient")
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

// sendOnce sends crashUpdate by e-mail to every recipient through a
// Broadcaster with the Store in cfg.Dir, as a program would, and closes
// everything.
func sendOnce(cfg crashConfig) (*broadcast.Report, error) {
	store, err := boltstore.Open(cfg.storePath(), nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	to := make([]string, crashRecipients)
	for i := range to {
		to[i] = crashRecipient(i)
	}
	ch, err := email.New(email.Config{Host: "127.0.0.1", Port: cfg.Port, TLS: email.TLSPlaintext,
		From: "Status <status@example.com>", To: to, Concurrency: cfg.Concurrency})
	if err != nil {
		return nil, err
	}
	b, err := broadcast.New([]broadcast.Channel{ch},
		broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}, AttemptTimeout: crashHang})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return b.Send(context.Background(), crashUpdate)
}
