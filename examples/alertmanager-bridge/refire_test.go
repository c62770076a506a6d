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
	return storeBridge(t, broadcast.NewMemoryStore(), logs, chans...)
}

// storeBridge serves a handler over chans and store, logging into logs.
func storeBridge(t *testing.T, store broadcast.Store, logs *syncbuf.Buffer, chans ...broadcast.Channel) (*handler, *httptest.Server) {
	t.Helper()
	b, err := broadcast.New(chans, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(logs, nil)), say: func(_, s string) string { return s }}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return h, srv
}

// postAll posts bodies in turn, each answered 200, and returns the
// answers.
func postAll(t *testing.T, srv *httptest.Server, bodies ...[]byte) []response {
	t.Helper()
	out := make([]response, len(bodies))
	for i, body := range bodies {
		code, resp := post(t, srv, body)
		require.Equal(t, http.StatusOK, code, "notification %d", i)
		out[i] = resp
	}
	return out
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
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "firing.json", am1))
	first, refire := got[0], got[2]
	assert.Equal(t, "delivered", refire.Results[0].Outcome, "the re-fire")
	assert.NotEqual(t, first.UpdateID, refire.UpdateID, "the re-fire is a new update")
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))

	retry := postAll(t, srv, from(t, "firing.json", am1))[0] // Alertmanager's retry, or its repeat
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
	postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1))
	flaky.setFail(errors.New("503 upstream down"))
	code, refire := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, []string{"delivered", "failed"}, []string{refire.Results[0].Outcome, refire.Results[1].Outcome})

	flaky.setFail(nil)
	retry := postAll(t, srv, from(t, "firing.json", am1))[0]
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
// before, and the log says why. So is one that follows, from the other
// Alertmanager, the update that said an alert of the group still firing
// had resolved.
func TestRefireNotToldFromALateCopyIsSkipped(t *testing.T) {
	resolved := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}
	for _, tc := range []struct {
		name, resolvedBy, firedBy, why string
		between                        func(t *testing.T, externalURL string) []byte // nil: resolved.json
		statuses                       []broadcast.Status
	}{
		{"from the other Alertmanager", am1, am2, "another Alertmanager", nil, resolved},
		{"from the same, which gives no externalURL", "", "", "no externalURL", nil, resolved},
		{"resolution without externalURL", "", am1, "no externalURL", nil, resolved},
		{"re-fire without externalURL", am1, "", "no externalURL", nil, resolved},
		{"an alert of a group still firing, from the other Alertmanager", am1, am2, "another Alertmanager",
			secondResolved, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusInvestigating}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := &recorder{name: "status"}
			logs := &syncbuf.Buffer{}
			_, srv := refireBridge(t, logs, ch)
			between := from(t, "resolved.json", tc.resolvedBy)
			if tc.between != nil {
				between = tc.between(t, tc.resolvedBy)
			}
			got := postAll(t, srv, from(t, "firing.json", am1), between, from(t, "firing.json", tc.firedBy))
			first, again := got[0], got[2]
			assert.Equal(t, first.UpdateID, again.UpdateID)
			assert.Equal(t, "skipped", again.Results[0].Outcome)
			assert.Equal(t, tc.statuses, statuses(ch))
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
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1))
	first, resolved := got[0], got[1]

	// What an earlier version of the bridge recorded of the resolution.
	ctx := context.Background()
	rec, err := h.incident(ctx, resolved.IncidentID)
	require.NoError(t, err)
	require.Equal(t, resolved.UpdateID, rec.Update)
	r := broadcast.Receipt{Channel: recordChannel, UpdateID: rec.Update, UpdateTime: rec.Time, Time: rec.Time,
		Meta: map[string]string{"title": rec.Title, "impact": string(rec.Impact), "update": rec.Update, "content": rec.Content}}
	require.NoError(t, h.store.SaveReceipt(ctx, resolved.IncidentID, recordChannel+resolved.IncidentID, r))

	again := postAll(t, srv, from(t, "firing.json", am1))[0]
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
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "resolved.json", am2),
		from(t, "firing.json", am2),
		from(t, "firing.json", am1)) // the pair's other copy of the re-fire
	refire, copied := got[3], got[4]
	assert.Equal(t, "delivered", refire.Results[0].Outcome)
	assert.Equal(t, refire.UpdateID, copied.UpdateID)
	assert.Equal(t, "skipped", copied.Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
}
