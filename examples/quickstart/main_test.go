package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// childEnv, when set, makes the test binary the program itself, so that
// a test can send it signals.
const childEnv = "OUTAGECAST_QUICKSTART_CHILD"

func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(childEnv); ok {
		os.Args = os.Args[:1] // not the test flags
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

func TestConsoleOnly(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "Investigating: Elevated error rates on the CDN")
	assert.Contains(t, out.String(), "https://status.example.com/incidents/cdn-errors")
	assert.Contains(t, out.String(), "console: delivered=true attempts=1\n")
}

func TestWithWebhook(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var got atomic.Int32
	var advice atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := v.VerifyRequest(r, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if json.Unmarshal(body, &p) == nil && p.Data.Advice != "" {
			advice.Store(p.Data.Advice)
		}
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	t.Setenv("OUTAGECAST_WEBHOOK_URL", srv.URL)
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", secret)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "webhook: delivered=true attempts=1\n")
	assert.Equal(t, int32(1), got.Load())
	assert.Equal(t, "Retry failed downloads; no data is lost.", advice.Load(), "the payload carries the advice")
}

func TestBadWebhookSecret(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "https://hooks.example.com/in")
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "not-a-secret")
	err := run(context.Background(), &bytes.Buffer{})
	require.ErrorContains(t, err, "OUTAGECAST_WEBHOOK_SECRET: ", "the error names the variable to set")
	assert.ErrorAs(t, err, new(settingsError), "exit status 2: the settings are wrong, no channel failed")
	assert.NotContains(t, err.Error(), "Config.", "not the Config field a user of quickstart cannot reach")
	assert.NotContains(t, err.Error(), "not-a-secret")

	// Unset, the error says what to set, not the Config field a user of
	// quickstart cannot reach (webhook's "set Config.AllowUnsigned").
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "")
	err = run(context.Background(), &bytes.Buffer{})
	require.ErrorContains(t, err, "OUTAGECAST_WEBHOOK_SECRET: not set")
	assert.ErrorAs(t, err, new(settingsError))
	assert.Contains(t, err.Error(), "whsec_", "it says what the value looks like")
	assert.NotContains(t, err.Error(), "AllowUnsigned")
}

// A URL that webhook refuses is an error naming the variable, not the
// Config field.
func TestBadWebhookURL(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "ftp://hooks.example.com/in")
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	err := run(context.Background(), &bytes.Buffer{})
	require.EqualError(t, err, "OUTAGECAST_WEBHOOK_URL: not an absolute http or https URL")
	assert.ErrorAs(t, err, new(settingsError), "exit status 2")
}

// A secret without a URL is a mistake (a URL variable misspelt or not
// exported), not a request for the console only: nothing is sent.
func TestWebhookSecretWithoutURL(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "")
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	var out bytes.Buffer
	err := run(context.Background(), &out)
	require.ErrorContains(t, err, "OUTAGECAST_WEBHOOK_URL: not set")
	assert.ErrorAs(t, err, new(settingsError), "exit status 2")
	assert.Contains(t, err.Error(), "OUTAGECAST_WEBHOOK_SECRET is set")
	assert.NotContains(t, err.Error(), "MfKQ9r8")
	assert.Empty(t, out.String(), "nothing is sent")
}

// Ctrl-C during a delivery cancels the Send: the program does not die
// mid-delivery but says which channels had the update and which did not,
// and exits non-zero (130, as a shell reports a program Ctrl-C ended).
func TestInterruptReportsWhatWasDelivered(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	arrived, done := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then a client gone cancels r's context
		select {
		case arrived <- struct{}{}:
		default:
		}
		select { // a receiver that hangs: the delivery is under way
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer srv.Close()
	defer close(done)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "OUTAGECAST_WEBHOOK_URL="+srv.URL, "OUTAGECAST_WEBHOOK_SECRET="+secret)
	var out, errs lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	require.NoError(t, cmd.Start())
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-arrived:
	case err := <-waited:
		t.Fatalf("the program ended (%v) before its delivery: %s", err, &errs)
	}
	// The channels run at once: the webhook's request can arrive before
	// the console has written, on a loaded machine. The interrupt comes
	// once both are under way, the console's done.
	for !strings.Contains(out.String(), "Elevated error rates on the CDN") {
		select {
		case err := <-waited:
			t.Fatalf("the program ended (%v) before the console wrote: %s", err, &errs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := <-waited

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stdout: %s\nstderr: %s", &out, &errs)
	assert.Equal(t, 130, exit.ExitCode(), "exited, not killed by the signal; stderr: %s", &errs)
	assert.Contains(t, out.String(), "console: delivered=true attempts=1\n")
	assert.Contains(t, out.String(), "webhook: delivered=false attempts=1 (interrupted)\n")
	assert.Equal(t, "quickstart: interrupted: not delivered to webhook\n", errs.String())
	assert.NotContains(t, out.String()+errs.String(), secret)
}

// The program takes no flags nor arguments: -h prints its usage, and
// anything else is refused, before anything is sent (with
// OUTAGECAST_WEBHOOK_URL set, "quickstart -h" posted the update).
func TestArguments(t *testing.T) {
	for _, tt := range []struct {
		args []string
		out  string
		err  string
	}{
		{[]string{"-h"}, "Usage: quickstart\n", "flag: help requested"},
		{[]string{"-help"}, "OUTAGECAST_WEBHOOK_URL", "flag: help requested"},
		{[]string{"-x"}, "", "flag provided but not defined: -x"},
		// A flag given twice, as to the other example programs, names it.
		{[]string{"-listen", "a", "-listen", "b"}, "", "flag provided but not defined: -listen"},
		{[]string{"now"}, "", `unexpected argument "now"`},
	} {
		var out strings.Builder
		err := parseArgs(tt.args, &out)
		require.EqualError(t, err, tt.err, tt.args)
		assert.Contains(t, out.String(), tt.out)
	}
	require.NoError(t, parseArgs(nil, io.Discard))
}

// lockedBuffer is a buffer a child process writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
