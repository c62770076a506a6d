package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// secondResolved is firing.json as the Alertmanager at externalURL sends it
// once its second alert (edge-ams-2) resolved, the first still firing.
func secondResolved(t *testing.T, externalURL string) []byte {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal(from(t, "firing.json", externalURL), &p))
	b := p["alerts"].([]any)[1].(map[string]any)
	require.Equal(t, "8b27d4e1c09f3a75", b["fingerprint"])
	b["status"], b["endsAt"] = "resolved", "2024-05-14T09:42:00.5Z"
	data, err := json.Marshal(p)
	require.NoError(t, err)
	return data
}

// An alert of a group that still fires resolves, then fires again with
// the start it had (Alertmanager keeps an alert's earliest startsAt when
// it merges a new one into it: types/types.go, Alert.Merge): the
// notification is the group's first one over again, by its id, and was
// skipped as delivered, the status page saying the alert had resolved
// while it fired. From the Alertmanager that sent the update in between,
// it is posted, once.
func TestAlertFiringAgainInAGroupStillFiringIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), secondResolved(t, am1), from(t, "firing.json", am1))
	first, again := got[0], got[2]
	assert.Equal(t, "delivered", again.Results[0].Outcome)
	assert.NotEqual(t, first.UpdateID, again.UpdateID)
	require.Len(t, ch.sent(), 3)
	assert.Contains(t, ch.sent()[2].Update.Body, "edge-ams-2", "the alert fires again")

	retry := postAll(t, srv, from(t, "firing.json", am1))[0]
	assert.Equal(t, again.UpdateID, retry.UpdateID)
	assert.Equal(t, "skipped", retry.Results[0].Outcome)
	assert.Len(t, ch.sent(), 3)
}

// A group that fired again after its resolution resolves a second time
// with the very ends it had (a Prometheus of a pair re-sends its resolved
// alert, with the end it resolved it at, while the other fired it again;
// Alertmanager's Alert.Merge keeps the earliest start and that explicit
// end): the notification is the first resolution's over again, by its id,
// and was not posted, the status page saying "investigating" once the
// incident was over. From the Alertmanager that sent the re-fire, it is
// posted, once.
func TestResolvedAgainWithTheSameEndIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "firing.json", am1),
		from(t, "resolved.json", am1))
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved,
		broadcast.StatusInvestigating, broadcast.StatusResolved}, statuses(ch))
	assert.NotEqual(t, got[1].UpdateID, got[3].UpdateID)

	retry := postAll(t, srv, from(t, "resolved.json", am1))[0]
	assert.Equal(t, got[3].UpdateID, retry.UpdateID)
	assert.Equal(t, "skipped", retry.Results[0].Outcome)
	assert.Len(t, ch.sent(), 4)
}

// Fire, resolve, fire, resolve, fire, each notification with the alerts'
// first start and end and each sent twice (Alertmanager's retry): each
// change is posted once, under an id of its own, the retry under the same.
func TestEveryCycleIsPostedOnce(t *testing.T) {
	ch := &recorder{name: "status"}
	h, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	names := []string{"firing.json", "resolved.json", "firing.json", "resolved.json", "firing.json"}
	seen := map[string]bool{}
	for i, name := range names {
		got := postAll(t, srv, from(t, name, am1), from(t, name, am1)) // the notification, and its retry
		resp, retry := got[0], got[1]
		assert.False(t, seen[resp.UpdateID], "notification %d has an id of its own", i)
		seen[resp.UpdateID] = true
		assert.Equal(t, resp.UpdateID, retry.UpdateID, "the retry of notification %d", i)
		assert.Equal(t, "skipped", retry.Results[0].Outcome, i)
		rec, err := h.incident(t.Context(), resp.IncidentID)
		require.NoError(t, err)
		assert.Equal(t, resp.UpdateID, rec.Update, i)
		assert.Len(t, rec.Senders, 1, i)
	}
	var got []broadcast.Status
	for _, name := range names {
		got = append(got, map[bool]broadcast.Status{true: broadcast.StatusResolved, false: broadcast.StatusInvestigating}[strings.HasPrefix(name, "resolved")])
	}
	assert.Equal(t, got, statuses(ch))
}

// recordLost is a Store that loses the bridge's record of an incident
// while lose is set: the bridge stopped between an update's delivery and
// its record.
type recordLost struct {
	broadcast.Store
	lose atomic.Bool
}

func (s *recordLost) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if r.Channel == recordChannel && s.lose.Load() {
		return nil
	}
	return s.Store.SaveReceipt(ctx, incidentID, updateID, r)
}

// Alertmanager sends the re-fire again, its answer lost to a crash of the
// bridge after the update went out and before the incident's record said
// so: the retry is the same update, posted once.
func TestRefireRetriedAfterItsRecordWasLostIsPostedOnce(t *testing.T) {
	store := &recordLost{Store: broadcast.NewMemoryStore()}
	ch := &recorder{name: "status"}
	_, srv := storeBridge(t, store, &syncbuf.Buffer{}, ch)
	postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1))
	store.lose.Store(true)
	refire := postAll(t, srv, from(t, "firing.json", am1))[0]
	require.Equal(t, "delivered", refire.Results[0].Outcome)
	store.lose.Store(false)

	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "firing.json", am1)) // the second: its record written now
	retry, again := got[0], got[1]
	assert.Equal(t, refire.UpdateID, retry.UpdateID)
	assert.Equal(t, "skipped", retry.Results[0].Outcome)
	assert.Equal(t, refire.UpdateID, again.UpdateID)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
}

// A record the bridge writes keeps what earlier versions read of it, as
// they wrote it: the latest update's id and content, the incident's title
// and impact; one of them, run on the state file again, reads it.
func TestRecordKeepsWhatEarlierVersionsRead(t *testing.T) {
	ch := &recorder{name: "status"}
	h, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	last := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "firing.json", am1))[2]
	th, err := h.store.Thread(t.Context(), last.IncidentID, recordChannel)
	require.NoError(t, err)
	sent := ch.sent()[2].Update
	assert.Equal(t, last.UpdateID, th.Last.Meta["update"])
	assert.Equal(t, content(sent), th.Last.Meta["content"])
	assert.Equal(t, sent.Title, th.Root.Meta["title"])
	assert.Equal(t, string(sent.Impact), th.Last.Meta["impact"])
	assert.Equal(t, string(broadcast.StatusInvestigating), th.Last.Meta["status"])
	assert.Equal(t, senderKey(am1), th.Last.Meta["senders"])
}
