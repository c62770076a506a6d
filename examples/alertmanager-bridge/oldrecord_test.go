package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A record written by the version that kept the latest update's senders
// but not what each Alertmanager had been answered ("last", "earlier"):
// the bridge decides on it as that version did. The re-fire from the
// Alertmanager that sent the resolution is posted, once; the other's
// copy of the firing notification, before it, is skipped as a possible
// late copy.
func TestRecordWithoutWhatEachWasAnsweredDecidesAsBefore(t *testing.T) {
	ch := &recorder{name: "status"}
	h, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "firing.json", am2), from(t, "resolved.json", am1))
	resolved := got[2]

	// What the earlier version recorded of the resolution.
	ctx := context.Background()
	th, err := h.store.Thread(ctx, resolved.IncidentID, recordChannel)
	require.NoError(t, err)
	meta := map[string]string{}
	for _, k := range []string{"title", "impact", "update", "content", "status", "senders"} {
		meta[k] = th.Last.Meta[k]
	}
	require.Equal(t, senderKey(am1), meta["senders"])
	r := broadcast.Receipt{Channel: recordChannel, UpdateID: th.Last.UpdateID, UpdateTime: th.Last.UpdateTime,
		Time: th.Last.Time, Meta: meta}
	require.NoError(t, h.store.SaveReceipt(ctx, resolved.IncidentID, recordChannel+resolved.IncidentID, r))
	rec, err := h.incident(ctx, resolved.IncidentID)
	require.NoError(t, err)
	require.Empty(t, rec.Last)
	require.Empty(t, rec.Earlier)

	got = postAll(t, srv, from(t, "firing.json", am2), // skipped, as before
		from(t, "firing.json", am1), from(t, "firing.json", am2), from(t, "firing.json", am1))
	assert.Equal(t, "skipped", got[0].Results[0].Outcome)
	assert.Equal(t, "delivered", got[1].Results[0].Outcome, "the re-fire from the resolution's sender")
	assert.Equal(t, got[1].UpdateID, got[2].UpdateID)
	assert.Equal(t, got[1].UpdateID, got[3].UpdateID)
	assert.Equal(t, "skipped", got[2].Results[0].Outcome)
	assert.Equal(t, "skipped", got[3].Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))

	// The resolution after it, from the re-fire's sender, is posted, and
	// its retry is not.
	got = postAll(t, srv, from(t, "resolved.json", am1), from(t, "resolved.json", am1))
	assert.Equal(t, "delivered", got[0].Results[0].Outcome)
	assert.Equal(t, "skipped", got[1].Results[0].Outcome)
	assert.Len(t, ch.sent(), 4)
}
