package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// refireBridge serves a handler over chans, logging into logs.
func refireBridge(t *testing.T, logs *syncbuf.Buffer, chans ...broadcast.Channel) (*handler, *httptest.Server) {
	t.Helper()
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New(chans, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(logs, nil)), say: func(_, s string) string { return s }}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return h, srv
}

// from is the sample notification name as the Alertmanager at externalURL
// sends it.
func from(t *testing.T, name, externalURL string) []byte {
	t.Helper()
	const am = `"externalURL": "http://alertmanager.internal:9093"`
	data := string(sample(t, name))
	require.Contains(t, data, am)
	return []byte(strings.Replace(data, am, `"externalURL": "`+externalURL+`"`, 1))
}

// statuses lists the statuses of the updates ch was sent, in order.
func statuses(ch *recorder) []broadcast.Status {
	var out []broadcast.Status
	for _, m := range ch.sent() {
		out = append(out, m.Update.Status)
	}
	return out
}

const (
	am1 = "http://am-1.example.com:9093"
	am2 = "http://am-2.example.com:9093"
)

// An alert group that resolved, because Prometheus fell silent past
// resolve_timeout (restarted during the outage, say), then fires again
// with the same startsAt, its start restored: the re-fire mapped to the
// first firing update's id and was skipped as delivered, and the status
// page said "Resolved" during the outage. One Alertmanager sends a group's
// notifications one after another, so a firing notification after its own
// resolved one is no late copy: it is posted, once, as a new update;
// Alertmanager's retry of it is that update, skipped.
func TestRefireAfterResolvedFromTheSameAlertmanagerIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	code, first := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusOK, code)
	code, _ = post(t, srv, from(t, "resolved.json", am1))
	require.Equal(t, http.StatusOK, code)

	code, refire := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", refire.Results[0].Outcome, "the re-fire")
	assert.NotEqual(t, first.UpdateID, refire.UpdateID, "the re-fire is a new update")
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))

	code, retry := post(t, srv, from(t, "firing.json", am1)) // Alertmanager's retry, or its repeat
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, refire.UpdateID, retry.UpdateID, "the retry is the re-fire's update")
	assert.Equal(t, "skipped", retry.Results[0].Outcome, "the retry")
	assert.Len(t, ch.sent(), 3)
}

// The re-fire that one channel failed to take is sent again, under the
// same id, to that channel alone, when Alertmanager retries it: the first
// attempt recorded the re-fire as the incident's latest update.
func TestRefireRetriedReachesOnlyTheChannelThatMissedIt(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, good, flaky)
	for _, name := range []string{"firing.json", "resolved.json"} {
		code, _ := post(t, srv, from(t, name, am1))
		require.Equal(t, http.StatusOK, code, name)
	}
	flaky.setFail(errors.New("503 upstream down"))
	code, refire := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, []string{"delivered", "failed"}, []string{refire.Results[0].Outcome, refire.Results[1].Outcome})

	flaky.setFail(nil)
	code, retry := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, refire.UpdateID, retry.UpdateID)
	assert.Equal(t, []string{"skipped", "delivered"}, []string{retry.Results[0].Outcome, retry.Results[1].Outcome})
	want := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}
	assert.Equal(t, want, statuses(good))
	assert.Equal(t, want, statuses(flaky))
}

// A firing notification already delivered that arrives after the
// resolution from another Alertmanager, or from one whose externalURL is
// empty (two behind one address cannot be told apart), may be a late copy
// of the first firing notification from the other Alertmanager of a pair
// (whose resolved notification is deduplicated away): it is skipped as
// before, and the log says why.
func TestRefireNotToldFromALateCopyIsSkipped(t *testing.T) {
	for _, tc := range []struct {
		name, resolvedBy, firedBy, why string
	}{
		{"from the other Alertmanager", am1, am2, "another Alertmanager"},
		{"from the same, which gives no externalURL", "", "", "no externalURL"},
		{"resolution without externalURL", "", am1, "no externalURL"},
		{"re-fire without externalURL", am1, "", "no externalURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := &recorder{name: "status"}
			logs := &syncbuf.Buffer{}
			_, srv := refireBridge(t, logs, ch)
			code, first := post(t, srv, from(t, "firing.json", am1))
			require.Equal(t, http.StatusOK, code)
			code, _ = post(t, srv, from(t, "resolved.json", tc.resolvedBy))
			require.Equal(t, http.StatusOK, code)

			code, again := post(t, srv, from(t, "firing.json", tc.firedBy))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, first.UpdateID, again.UpdateID)
			assert.Equal(t, "skipped", again.Results[0].Outcome)
			assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}, statuses(ch))
			assert.Contains(t, logs.String(), "level=INFO")
			assert.Contains(t, logs.String(), tc.why)
			assert.Contains(t, logs.String(), "skipped as a possible late copy")
		})
	}
}

// A record written before the bridge kept which Alertmanager sent an
// update: the firing notification after the resolution is skipped, as it
// was.
func TestRefireAfterARecordWithoutSenderIsSkipped(t *testing.T) {
	ch := &recorder{name: "status"}
	h, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	code, first := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusOK, code)
	code, resolved := post(t, srv, from(t, "resolved.json", am1))
	require.Equal(t, http.StatusOK, code)

	// What an earlier version of the bridge recorded of the resolution.
	ctx := context.Background()
	rec, err := h.incident(ctx, resolved.IncidentID)
	require.NoError(t, err)
	require.Equal(t, resolved.UpdateID, rec.Update)
	r := broadcast.Receipt{Channel: recordChannel, UpdateID: rec.Update, UpdateTime: rec.Time, Time: rec.Time,
		Meta: map[string]string{"title": rec.Title, "impact": string(rec.Impact), "update": rec.Update, "content": rec.Content}}
	require.NoError(t, h.store.SaveReceipt(ctx, resolved.IncidentID, recordChannel+resolved.IncidentID, r))

	code, again := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, first.UpdateID, again.UpdateID)
	assert.Equal(t, "skipped", again.Results[0].Outcome)
	assert.Len(t, ch.sent(), 2)
}

// Both Alertmanagers of a pair sent the resolution (their deduplication
// missed the other's): a firing notification from either after it is no
// late copy, as each sends its own notifications in turn.
func TestRefireFromEitherAlertmanagerThatSentTheResolutionIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	for _, body := range [][]byte{from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "resolved.json", am2)} {
		code, _ := post(t, srv, body)
		require.Equal(t, http.StatusOK, code)
	}
	code, refire := post(t, srv, from(t, "firing.json", am2))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", refire.Results[0].Outcome)
	code, copied := post(t, srv, from(t, "firing.json", am1)) // the pair's other copy of the re-fire
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, refire.UpdateID, copied.UpdateID)
	assert.Equal(t, "skipped", copied.Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
}
