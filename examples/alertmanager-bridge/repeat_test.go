package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Alertmanager drops a group's resolved alerts once a notification
// carried them (dispatch/dispatch.go: aggrGroup.flush deletes the
// resolved alerts it sent), so its next repeat_interval notification
// carries another set of alerts (only those still firing) while saying
// nothing new; and an alert that resolved and fired again between two
// flushes comes back with a new startsAt but the same text; and the other
// Alertmanager of a pair sends that repeat with its own externalURL.
// None may post the incident's latest update again, hours later, on every
// channel.
func TestRepeatSayingNothingNewPostsNothing(t *testing.T) {
	refired := strings.Replace(string(notification(t, 0, dbDown, slowAPI)),
		"2024-05-14T09:12:30Z", "2024-05-14T10:02:00Z", 1) // the database alert flapped
	postSteps(t, []step{
		{"both fire", notification(t, 0, dbDown, slowAPI), true},
		{"one flapped, unnoticed", []byte(refired), false},
		{"the database is back", notification(t, 0, dbBack, slowAPI), true},
		{"the repeat after the resolved alert was dropped", notification(t, 0, slowAPI), false},
		{"the same repeat from the other Alertmanager of a pair, which links to itself", []byte(strings.Replace(
			string(notification(t, 0, slowAPI)), `"version":"4"`, `"externalURL":"https://am-2.example.com","version":"4"`, 1)), false},
		{"resolved", notification(t, 0, slowDone), true},
	})
}

// step is a notification of a group and whether the bridge is to post it.
type step struct {
	name   string
	body   []byte
	posted bool
}

// postSteps sends steps in turn to a bridge over one channel, checking
// that each is posted, or skipped, as it says.
func postSteps(t *testing.T, steps []step) {
	t.Helper()
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	posts := 0
	for _, s := range steps {
		code, resp := post(t, srv, s.body)
		require.Equal(t, http.StatusOK, code, s.name)
		if s.posted {
			posts++
		} else {
			assert.Equal(t, "skipped", resp.Results[0].Outcome, s.name)
		}
		require.Len(t, ch.sent(), posts, s.name)
	}
}

// With -state, the incident's latest update is known after a restart too.
func TestRepeatSayingNothingNewPostsNothingAfterRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	refired := strings.Replace(string(notification(t, 0, dbDown)), "2024-05-14T09:12:30Z", "2024-05-14T10:02:00Z", 1)
	for i, body := range [][]byte{notification(t, 0, dbDown), []byte(refired)} {
		var out bytes.Buffer
		h, closeAll, err := setup(&options{state: state}, &out, io.Discard, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		srv := httptest.NewServer(h.routes())
		code, _ := post(t, srv, body)
		srv.Close()
		closeAll()
		require.Equal(t, http.StatusOK, code, i)
		assert.Equal(t, i == 0, strings.Contains(out.String(), "Database unavailable"), "notification %d: %s", i, out.String())
	}
}
