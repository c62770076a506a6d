package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/examples/internal/shutdown"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// -url is checked as the updates will be (broadcast.Update.Validate): a
// URL with credentials, which every channel would post for all to see, is
// refused at start-up, saying why, without printing them.
func TestURLFlagCheckedAsUpdatesAre(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a bridge that starts stops at once
	for _, url := range []string{"https://status:hunter2secret@status.example.com", `https://status.example.com/"x"`} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-url", url}, &stdout, &stderr), url)
		assert.Contains(t, stderr.String(), "alertmanager-bridge: -url: ", url)
		assert.NotContains(t, stderr.String(), "hunter2secret")
	}
}

// An externalURL (or generatorURL) an update cannot carry, such as one
// with credentials, is passed over for the next: Alertmanager does not
// retry the 400 Validate would cause, and the update would never go out.
func TestPayloadURLWithCredentialsIsPassedOver(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	body := bytes.Replace(sample(t, "firing.json"), []byte(`"http://alertmanager.internal:9093"`),
		[]byte(`"http://admin:hunter2secret@alertmanager.internal:9093"`), 1)
	code, _ := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 1)
	assert.True(t, strings.HasPrefix(ch.sent()[0].Update.URL, "http://prometheus.internal:9090/graph?"), "URL %q", ch.sent()[0].Update.URL)
}

// Start-up errors name the flag to change, and a -listen address that
// cannot be listened on, or a state file that would not open, is found
// before the channels are checked. The exit status means what it means in
// the other example programs: 2 for a mistake in the flags, 1 for a run
// that failed (the address taken, the state file locked by another
// process or damaged).
func TestStartupErrorsNameTheFlag(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked.db")
	held, err := boltstore.Open(locked, nil)
	require.NoError(t, err)
	defer held.Close()
	damaged := filepath.Join(dir, "damaged.db")
	require.NoError(t, os.WriteFile(damaged, []byte("not a bolt database, but long enough to look at its header bytes"), 0o600))
	empty := filepath.Join(dir, "empty.db") // touched for a container's bind mount
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	lockedCfg := filepath.Join(dir, "bridge.yaml")
	require.NoError(t, os.WriteFile(lockedCfg, []byte("state: "+locked+"\nchannels:\n  - kind: console\n"), 0o600))
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"-listen", "127.0.0.1:0", "-state", filepath.Join(dir, "missing", "state.db")},
			"alertmanager-bridge: -state: directory " + filepath.Join(dir, "missing") + " does not exist", 2},
		{[]string{"-listen", "127.0.0.1:0", "-state", dir}, "alertmanager-bridge: -state: " + dir + " is a directory: give the state file's path", 2},
		{[]string{"-listen", "127.0.0.1:99999"}, "alertmanager-bridge: -listen: ", 2},
		{[]string{"-listen", "127.0.0.1"}, "alertmanager-bridge: -listen: ", 2},
		// No service net.Listen knows: a mistake on the command line, as
		// the server and the webhook receiver have it, not a failure to
		// listen (exit status 1).
		{[]string{"-listen", "127.0.0.1:no-such-service-here"}, `alertmanager-bridge: -listen: "127.0.0.1:no-such-service-here": want host:port`, 2},
		{[]string{"-listen", busy.Addr().String()}, "alertmanager-bridge: -listen: ", 1},
		{[]string{"-listen", "127.0.0.1:0", "-state", locked}, "alertmanager-bridge: -state: open store: ", 1},
		{[]string{"-listen", "127.0.0.1:0", "-state", damaged}, "alertmanager-bridge: -state: open store: ", 1},
		{[]string{"-listen", "127.0.0.1:0", "-state", empty}, "alertmanager-bridge: -state: open store: boltstore: " +
			"store file damaged: " + empty + ": the file is empty; if you created it empty (touch, or for a " +
			"container's bind mount), delete it and open again", 1},
		{[]string{"-listen", "127.0.0.1:0", "-config", lockedCfg}, "alertmanager-bridge: " + lockedCfg + ":1: state: open store: ", 1},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tt.code, run(context.Background(), nil, tt.args, &stdout, &stderr), tt.args)
		assert.Contains(t, stderr.String(), tt.want, tt.args)
		assert.NotContains(t, stderr.String(), "msg=channel", "%v: no channel checked", tt.args)
	}
}

// On SIGTERM or Ctrl-C the bridge says that it stops, finishes the
// notifications under way (their answers tell Alertmanager they went
// out), and exits 0, even with -timeout 0 (no limit).
func TestShutdownFinishesNotificationsUnderWay(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	defer free() // before hook.Close, which waits for its handlers
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - kind: webhook\n    url: "+hook.URL+"/in\n    allow_unsigned: true\n"), 0o600))
	var stdout, stderr syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-config", cfg, "-timeout", "0", "-check-timeout", "1ns"}, &stdout, &stderr)
	}()
	addr := regexp.MustCompile(`url=(http://\S+/alerts)`)
	require.Eventually(t, func() bool { return addr.MatchString(stderr.String()) }, guard, 5*time.Millisecond)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post(addr.FindStringSubmatch(stderr.String())[1], "application/json", bytes.NewReader(sample(t, "firing.json")))
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-arrived
	cancel()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "shutting down") }, guard, 5*time.Millisecond,
		"the bridge says it stops")
	free()
	assert.Equal(t, http.StatusOK, <-answered)
	assert.Equal(t, 0, <-done, stderr.String())
}

// A second signal while a notification is under way stops at once, with
// the exit status a shell shows for Ctrl-C.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	defer free() // before hook.Close, which waits for its handlers
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - kind: webhook\n    url: "+hook.URL+"/in\n    allow_unsigned: true\n"), 0o600))
	var stdout, stderr syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done, abort := make(chan int, 1), make(chan struct{})
	go func() {
		done <- run(ctx, abort, []string{"-listen", "127.0.0.1:0", "-config", cfg, "-timeout", "0", "-check-timeout", "1ns"}, &stdout, &stderr)
	}()
	addr := regexp.MustCompile(`url=(http://\S+/alerts)`)
	require.Eventually(t, func() bool { return addr.MatchString(stderr.String()) }, guard, 5*time.Millisecond)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post(addr.FindStringSubmatch(stderr.String())[1], "application/json", bytes.NewReader(sample(t, "firing.json")))
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-arrived
	cancel()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "shutting down") }, guard, 5*time.Millisecond,
		"the bridge says it stops")
	close(abort)
	assert.Equal(t, shutdown.ExitAbandoned, <-done, stderr.String())
	free()
	<-answered
}

// Ctrl-C during the start-up check of the channels (up to -check-timeout)
// stops the bridge before it serves: the checks cut short are logged as
// interrupted, not failed, and it neither says it listens nor exits 0 as
// after serving.
func TestInterruptedDuringStartupCheck(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := closed.Addr().String()
	require.NoError(t, closed.Close())
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - kind: webhook\n    name: hooks\n"+
		"    url: http://"+addr+"/alerts\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the first Ctrl-C
	var stdout, stderr bytes.Buffer
	assert.Equal(t, shutdown.ExitAbandoned, run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-config", cfg}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `msg=channel channel=hooks`)
	assert.Contains(t, stderr.String(), `check=interrupted`)
	assert.NotContains(t, stderr.String(), `check=failed`)
	assert.NotContains(t, stderr.String(), `msg=listening`)
	assert.Contains(t, stderr.String(), `msg="interrupted before serving"`)
}
