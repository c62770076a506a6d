package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/prune"
)

func TestKeepFlag(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, prune.DefaultKeep, o.keep)
	o, err = parseFlags([]string{"-keep", "0"}, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, o.keep, "0 keeps everything")
	_, err = parseFlags([]string{"-keep", "-1h"}, io.Discard)
	require.ErrorContains(t, err, "-keep")
}

// A bridge that runs for months forgets what its store recorded longer
// ago than -keep, in memory as with -state: the store does not grow with
// every notification ever received. A notification older than that, sent
// again, is posted again.
func TestPruneForgetsWhatIsOlderThanKeep(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    options
	}{
		{"memory", options{keep: time.Hour}},
		{"state", options{keep: time.Hour, state: filepath.Join(t.TempDir(), "state.db")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, logs bytes.Buffer
			h, closeAll, err := setup(&tc.o, &out, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
			require.NoError(t, err)
			defer closeAll()
			srv := httptest.NewServer(h.routes())
			defer srv.Close()
			code, resp := post(t, srv, sample(t, "firing.json"))
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "delivered", resp.Results[0].Outcome)
			code, resp = post(t, srv, sample(t, "firing.json"))
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "skipped", resp.Results[0].Outcome, "recorded less than -keep ago")

			// As the pruning does once -keep has passed.
			prune.Once(context.Background(), time.Now().Add(time.Second), h.pruneStore, h.log, strings.ToUpper)
			assert.Contains(t, logs.String(), "pruned")
			in, err := h.incident(context.Background(), resp.IncidentID)
			require.NoError(t, err)
			assert.Zero(t, in, "the incident's record is older than -keep")
			code, resp = post(t, srv, sample(t, "firing.json"))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, "delivered", resp.Results[0].Outcome, "its marks are older than -keep")
		})
	}
}

// A database's URL given as -state is refused without quoting it: the
// error of opening it as a file showed its password.
func TestStateURLNotQuoted(t *testing.T) {
	_, err := parseFlags([]string{"-state", "postgres://ops:Hunter2xyz@db.example.com/status"}, io.Discard)
	require.EqualError(t, err, "-state: a URL (not quoted: it may hold credentials): give the state file's path")
	o, err := parseFlags([]string{"-state", filepath.Join(t.TempDir(), "state.db")}, io.Discard)
	require.NoError(t, err)
	assert.NotEmpty(t, o.state)
}

// A -keep no longer than an update is retried (retry.max_elapsed) is
// refused before the bridge serves, naming both: pruning would remove the
// marks of an update still being delivered, and its next attempt would post
// it again to the recipients it had reached.
func TestKeepNotLongerThanRetryingRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bridge.yaml")
	require.NoError(t, os.WriteFile(file, []byte("retry: {max_elapsed: 2h}\nchannels:\n  - kind: console\n"), 0o600))
	for _, tc := range []struct {
		o    options
		want string // "": accepted
	}{
		{options{keep: time.Minute}, "-keep: 1m0s, not longer than an update is retried (retry.max_elapsed: 10m0s)"},
		{options{keep: 10 * time.Minute}, "-keep: 10m0s, not longer than an update is retried (retry.max_elapsed: 10m0s)"},
		{options{keep: time.Hour, config: file}, "-keep: 1h0m0s, not longer than an update is retried (retry.max_elapsed: 2h0m0s)"},
		{options{keep: 11 * time.Minute}, ""},
		{options{keep: 3 * time.Hour, config: file}, ""},
		{options{}, ""}, // 0 keeps everything
	} {
		h, closeAll, err := setup(&tc.o, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
		if tc.want == "" {
			require.NoError(t, err, "-keep %v", tc.o.keep)
			closeAll()
			continue
		}
		require.Error(t, err, "-keep %v", tc.o.keep)
		assert.Nil(t, h)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// A service name for -listen's port is taken, as net.Listen, the server
// and the webhook receiver take it.
func TestListenServiceName(t *testing.T) {
	o, err := parseFlags([]string{"-listen", "localhost:http"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "localhost:http", o.listen)
}

// A connection string written as key=value settings given as -state or
// -config is refused without quoting it, as a URL is.
func TestStateSettingsNotQuoted(t *testing.T) {
	for _, flag := range []string{"-state", "-config"} {
		_, err := parseFlags([]string{flag, "password=Hunter2xyz host=/nonexistent/x"}, io.Discard)
		require.Error(t, err, flag)
		assert.Contains(t, err.Error(), flag+": key=value settings (not quoted: they may hold credentials): give the ", flag)
		assert.NotContains(t, err.Error(), "Hunter2xyz", flag)
	}
}

// -h shows -keep's default as the README says it, 90 days ("90d"), not
// "2160h0m0s", and -keep takes what -h shows.
func TestKeepFlagShowsAndTakesDays(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"-h"}, &out)
	require.Error(t, err)
	assert.Contains(t, out.String(), "(default 90d)")
	assert.NotContains(t, out.String(), "2160h")
	o, err := parseFlags([]string{"-keep", "90d"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, prune.DefaultKeep, o.keep)
}
