package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdvice(t *testing.T) {
	p := firingPayload(t)
	assert.Empty(t, advice(p, state(p)))
	p.Alerts[1].Annotations["advice"] = "Use the EU endpoint."
	assert.Equal(t, "Use the EU endpoint.", advice(p, state(p)), "a firing alert's advice")
	p.Alerts[0].Annotations["customer_advice"] = "Retry failed downloads."
	assert.Equal(t, "Retry failed downloads.", advice(p, state(p)), "the first firing alert's")
	p.CommonAnnotations["advice"] = "No action needed."
	assert.Equal(t, "No action needed.", advice(p, state(p)), "the common annotation wins")
	p.CommonAnnotations["customer_advice"] = "Nothing to do."
	assert.Equal(t, "Nothing to do.", advice(p, state(p)), "customer_advice before advice")

	p.Status, p.Alerts[0].Status, p.Alerts[1].Status = statusResolved, statusResolved, statusResolved
	delete(p.CommonAnnotations, "advice")
	delete(p.CommonAnnotations, "customer_advice")
	assert.Empty(t, advice(p, state(p)), "a resolved group keeps only common advice")

	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	body := bytes.Replace(sample(t, "firing.json"), []byte(`"commonAnnotations": {`),
		[]byte(`"commonAnnotations": {"advice": "Retry with backoff.", `), 1)
	code, _ := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Retry with backoff.", ch.sent()[0].Update.Advice)
}

// The start-up log says what each channel is configured with and whether
// its check reached it; a channel's "when:" applies to notifications.
func TestStartupCheckAndRoutes(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer hook.Close()
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n"+
		"  - kind: webhook\n    name: hooks\n    url: "+hook.URL+"/in\n    allow_unsigned: true\n"+
		"  - kind: console\n    name: quiet\n    when: {impacts: [minor]}\n"), 0o600))
	var logs bytes.Buffer
	h, closeAll, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	defer closeAll()
	h.checkChannels(context.Background(), 0)
	assert.Regexp(t, `msg=channel channel=hooks configured="1 endpoint http://127.0.0.1:\d+/…#\w+, 0 signed" check=ok`, logs.String())
	assert.Contains(t, logs.String(), `msg=channel channel=quiet configured="stdout, template text" check="nothing to check: writes to the output it is configured with, reaching no server, with no credentials"`)

	srv := httptest.NewServer(h.routes())
	defer srv.Close()
	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"delivered", "not selected"}, []string{resp.Results[0].Outcome, resp.Results[1].Outcome})
	assert.Contains(t, logs.String(), "not selected")
}

func TestStartupCheckFailureIsLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a port nothing listens on once closed (1 may be taken)
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - kind: webhook\n    url: http://"+closed+"/in\n    allow_unsigned: true\n"), 0o600))
	var logs bytes.Buffer
	h, closeAll, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	defer closeAll()
	h.checkChannels(context.Background(), 0)
	assert.Contains(t, logs.String(), "level=WARN msg=channel channel=webhook")
	assert.Contains(t, logs.String(), "check=failed")
	assert.Contains(t, logs.String(), "connection refused")
}

// With a configuration file, errors in the log and in the answer name the
// file's keys, as the announce program does, not the Go names.
func TestErrorsSpeakInConfigKeys(t *testing.T) {
	// The pacing of three channels at 10s a line cannot fit 2s: the IRC
	// channel refuses before connecting, and says what to change.
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("attempt_timeout: 2s\nretry: {max_attempts: 1}\nchannels:\n"+
		"  - type: irc\n    name: chat\n    server: 127.0.0.1:1\n    tls: false\n    nick: status\n"+
		"    channels: ['#a', '#b', '#c']\n    burst: 1\n    interval: 10s\n"), 0o600))
	var logs bytes.Buffer
	h, closeAll, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h.routes())
	defer srv.Close()

	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusFailedDependency, code, "refused for good")
	const want = "raise attempt_timeout, lower max_lines, post to fewer channels, or raise burst or lower interval"
	assert.Contains(t, resp.Results[0].Error, want)
	assert.Contains(t, logs.String(), want)
	for _, out := range []string{resp.Results[0].Error, logs.String()} {
		assert.NotContains(t, out, "Config.")
		assert.NotContains(t, out, "broadcast.Options")
	}
}

// Without a durable store, a restart forgets what was delivered, and
// Alertmanager's next repeat of every firing group (repeat_interval) is
// posted again: the bridge says so when it starts, and not with -state.
func TestMemoryStoreWarns(t *testing.T) {
	var logs bytes.Buffer
	h, closeAll, err := setup(&options{}, io.Discard, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	closeAll()
	require.NotNil(t, h)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "-state")

	logs.Reset()
	_, closeAll, err = setup(&options{state: filepath.Join(t.TempDir(), "state.db")}, io.Discard, io.Discard,
		slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	closeAll()
	assert.NotContains(t, logs.String(), "-state")
}
