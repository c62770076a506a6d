package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
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
	go func() { done <- run(ctx, nil, args, stdout, stderr) }()
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
		req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
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
	req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
	req.Header.Set("Authorization", "Bearer "+bridgeToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return stdout.String() != "" }, time.Minute, 5*time.Millisecond, "posted")
	assert.NotContains(t, stderr.String(), bridgeToken, "no token in the log")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "no warning with tokens")
}

// unsetenv unsets the variable name until the test ends.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // restores it when the test ends
	require.NoError(t, os.Unsetenv(name))
}

// A variable of credentials set but empty (a secret file that was not
// there, a compose file's variable not filled in) is refused at start: read
// as unset, it left the bridge open to any request.
func TestBlankCredentialsRefused(t *testing.T) {
	for _, name := range []string{tokensEnv, basicEnv} {
		for _, v := range []string{"", " ", " , \n"} {
			unsetenv(t, tokensEnv)
			unsetenv(t, basicEnv)
			t.Setenv(name, v)
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // read as unset, the bridge stops before serving, and the test does not hang
			assert.Equal(t, 2, run(ctx, nil, []string{"-listen", "127.0.0.1:0"}, &stdout, &stderr), "%s=%q", name, v)
			assert.Contains(t, stderr.String(), name+": set but empty", "%s=%q", name, v)
		}
	}
}

func TestBadTokensRefused(t *testing.T) {
	t.Setenv(tokensEnv, "short-secret")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, []string{"-listen", "127.0.0.1:0"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "OUTAGECAST_BRIDGE_TOKENS: token 1 of 1: shorter than 16 characters")
	assert.NotContains(t, stderr.String(), "short-secret")
}

// Without tokens, a bridge listening beyond loopback says that anyone who
// reaches it can post (before it says it listens, which start waits for).
func TestNoTokensBeyondLoopbackWarns(t *testing.T) {
	unsetenv(t, tokensEnv)
	unsetenv(t, basicEnv)
	_, _, stderr := start(t, "-listen", "127.0.0.1:0")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "loopback: no warning")
	_, _, stderr = start(t, "-listen", "0.0.0.0:0")
	assert.Contains(t, stderr.String(), "anyone who can reach this address can post updates to the channels: set OUTAGECAST_BRIDGE_TOKENS")
}

// -help says how OUTAGECAST_BRIDGE_TOKENS is read: tokens separated by
// commas or white space, as the package comment says and bearer.Parse does.
func TestHelpSaysHowTokensAreSeparated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), nil, []string{"-help"}, &stdout, &stderr))
	assert.Contains(t, strings.Join(strings.Fields(stdout.String()), " "), "separated by commas or spaces")
}

// The usage line of -help names every flag, or says that there are more
// than it names: -max-body, -timeout and the others are flags too.
func TestHelpUsageLineLeavesNoFlagOut(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), nil, []string{"-help"}, &stdout, &stderr))
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if strings.HasSuffix(line, " [flags]") {
		return
	}
	for _, name := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(stdout.String(), -1) {
		assert.Contains(t, line, "-"+name[1]+" ", "the usage line %q", line)
	}
}

// basicEnv names the variable holding the user names and passwords of
// Alertmanager's http_config.basic_auth.
const basicEnv = "OUTAGECAST_BRIDGE_BASIC_AUTH"

const bridgePassword = "pass-0123456789abcdef"

// With OUTAGECAST_BRIDGE_BASIC_AUTH set, a notification must carry one of
// its user names and passwords, as Alertmanager's http_config.basic_auth
// sends them: "Authorization: Basic" and base64 of user:password (RFC 7617,
// section 2; Prometheus's HTTP client sets it with net/http's SetBasicAuth).
// Bearer tokens are accepted as well when both variables are set.
func TestBasicAuthGuardsAlerts(t *testing.T) {
	t.Setenv(tokensEnv, bridgeToken)
	t.Setenv(basicEnv, "alertmanager:old-pass-fedcba9876543210, alertmanager:"+bridgePassword)
	url, stdout, stderr := start(t, "-listen", "127.0.0.1:0")
	do := func(set func(*http.Request)) *http.Response {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sample(t, "firing.json")))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
		set(req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	refused := map[string]func(*http.Request){
		"none":           func(*http.Request) {},
		"wrong password": func(r *http.Request) { r.SetBasicAuth("alertmanager", "wrong-pass-0123456789") },
		"wrong user":     func(r *http.Request) { r.SetBasicAuth("prometheus", bridgePassword) },
		"a prefix":       func(r *http.Request) { r.SetBasicAuth("alertmanager", bridgePassword[:17]) },
		"token as basic": func(r *http.Request) { r.Header.Set("Authorization", "Basic "+bridgeToken) },
		"no colon":       func(r *http.Request) { r.SetBasicAuth("alertmanager"+bridgePassword, "") },
	}
	for name, set := range refused {
		resp := do(set)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
		assert.Contains(t, resp.Header.Values("WWW-Authenticate"), `Basic realm="alertmanager-bridge", charset="UTF-8"`, name)
	}
	assert.Empty(t, stdout.String(), "nothing posted")

	for name, set := range map[string]func(*http.Request){
		"new password": func(r *http.Request) { r.SetBasicAuth("alertmanager", bridgePassword) },
		"old password": func(r *http.Request) { r.SetBasicAuth("alertmanager", "old-pass-fedcba9876543210") },
		"bearer token": func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+bridgeToken) },
	} {
		assert.Equal(t, http.StatusOK, do(set).StatusCode, name)
	}
	require.Eventually(t, func() bool { return stdout.String() != "" }, time.Minute, 5*time.Millisecond, "posted")
	assert.NotContains(t, stderr.String(), bridgePassword, "no password in the log")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "no warning with credentials")
}

// Basic auth alone guards the endpoint too, and bearer tokens are then
// refused.
func TestBasicAuthAlone(t *testing.T) {
	unsetenv(t, tokensEnv)
	t.Setenv(basicEnv, "alertmanager:"+bridgePassword)
	url, _, stderr := start(t, "-listen", "0.0.0.0:0")
	assert.NotContains(t, stderr.String(), "anyone who can reach", "no warning with credentials")
	url = regexp.MustCompile(`//[^/]*:`).ReplaceAllString(url, "//127.0.0.1:") // the address is 0.0.0.0 or [::]
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sample(t, "firing.json")))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
	req.Header.Set("Authorization", "Bearer "+bridgeToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, []string{`Basic realm="alertmanager-bridge", charset="UTF-8"`}, resp.Header.Values("WWW-Authenticate"))
}

func TestBadBasicAuthRefused(t *testing.T) {
	tests := []struct{ value, msg string }{
		{" , ", basicEnv + ": set but empty"},
		{"alertmanager", basicEnv + ": entry 1 of 1: want user:password"},
		{":" + bridgePassword, basicEnv + ": entry 1 of 1: user name missing"},
		{"alertmanager:" + bridgePassword + " alertmanager:short-secret", basicEnv + ": entry 2 of 2: password shorter than 16 characters"},
		{"alertmanager:" + bridgePassword + "\x01", basicEnv + ": entry 1 of 1: control character"},
	}
	for _, tt := range tests {
		t.Setenv(basicEnv, tt.value)
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), nil, []string{"-listen", "127.0.0.1:0"}, &stdout, &stderr), tt.value)
		assert.Contains(t, stderr.String(), tt.msg)
		assert.NotContains(t, stderr.String(), "short-secret")
		assert.NotContains(t, stderr.String(), bridgePassword)
	}
}
