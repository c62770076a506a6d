package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/syncbuf"
)

const bridgeToken = "bridge-token-0123456789abcdef"

// start runs the bridge with args until the test ends, and returns the
// URL of its POST /alerts and its standard output and error.
func start(t *testing.T, args ...string) (url string, stdout, stderr *syncbuf.Buffer) {
	t.Helper()
	stdout, stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, 0, <-done, stderr.String())
	})
	addr := regexp.MustCompile(`url=(http://\S+/alerts)`)
	require.Eventually(t, func() bool { return addr.MatchString(stderr.String()) }, time.Minute, 5*time.Millisecond)
	return addr.FindStringSubmatch(stderr.String())[1], stdout, stderr
}

// With OUTAGECAST_BRIDGE_TOKENS set, a notification without one of its
// tokens is refused before anything of it is read, as Alertmanager's
// http_config.authorization sends it.
func TestTokensGuardAlerts(t *testing.T) {
	t.Setenv(tokensEnv, "old-token-fedcba9876543210, "+bridgeToken)
	url, stdout, stderr := start(t, "-listen", "127.0.0.1:0")
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Basic " + bridgeToken} {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sample(t, "firing.json")))
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, auth)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer", auth)
	}
	assert.Empty(t, stdout.String(), "nothing posted")

	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sample(t, "firing.json")))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+bridgeToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return stdout.String() != "" }, time.Minute, 5*time.Millisecond, "posted")
	assert.NotContains(t, stderr.String(), bridgeToken, "no token in the log")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "no warning with tokens")
}

func TestBadTokensRefused(t *testing.T) {
	t.Setenv(tokensEnv, "short-secret")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-listen", "127.0.0.1:0"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "OUTAGECAST_BRIDGE_TOKENS: token 1 of 1: shorter than 16 characters")
	assert.NotContains(t, stderr.String(), "short-secret")
}

// Without tokens, a bridge listening beyond loopback says that anyone who
// reaches it can post (before it says it listens, which start waits for).
func TestNoTokensBeyondLoopbackWarns(t *testing.T) {
	t.Setenv(tokensEnv, "")
	_, _, stderr := start(t, "-listen", "127.0.0.1:0")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "loopback: no warning")
	_, _, stderr = start(t, "-listen", "0.0.0.0:0")
	assert.Contains(t, stderr.String(), "anyone who can reach this address can post updates to the channels: set OUTAGECAST_BRIDGE_TOKENS")
}

// -help says how OUTAGECAST_BRIDGE_TOKENS is read: tokens separated by
// commas or white space, as the package comment says and bearer.Parse does.
func TestHelpSaysHowTokensAreSeparated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-help"}, &stdout, &stderr))
	assert.Contains(t, strings.Join(strings.Fields(stdout.String()), " "), "separated by commas or spaces")
}
