package statuspage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update ID used again after the page forgot the retraction of the
// update that had it (retractionKept later) is another update: its entry
// gets an id of its own, not the earlier one's, which readers may hold.
func TestEntryIDNewWhenIDUsedAgainAfterRetractionPruned(t *testing.T) {
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	u := broadcast.Update{ID: "x", IncidentID: "a", Title: "Errors", Status: broadcast.StatusInvestigating, Time: now}
	r, err := c.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	first := feedIDs(t, c.cache)["x"]
	require.NoError(t, c.Retract(ctx, r))

	now = now.Add(retractionKept + 24*time.Hour)
	u2 := broadcast.Update{ID: "other", IncidentID: "b", Title: "Latency", Status: broadcast.StatusInvestigating, Time: now}
	_, err = c.Send(ctx, broadcast.NewMessage(u2)) // the retraction is pruned
	require.NoError(t, err)
	require.Empty(t, c.cache.Retractions)

	now = now.Add(time.Hour)
	u = broadcast.Update{ID: "x", IncidentID: "c", Title: "Outage", Status: broadcast.StatusInvestigating, Time: now}
	_, err = c.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.NotEqual(t, first, feedIDs(t, c.cache)["x"])
}

// So also when the page forgot the retraction on the day it was made
// (more than retractionsMax retracted at once) and the ID comes again that
// day: and the id it gets stays its own in later versions.
func TestEntryIDNewWhenIDUsedAgainAfterRetractionsMax(t *testing.T) {
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	st := newState(now)
	for i := range retractionsMax + 1 {
		e := entry{ID: fmt.Sprint("u", i), Title: "T", Status: broadcast.StatusInvestigating, Time: now}
		_, _, err := st.add(fmt.Sprint("inc", i), e, now)
		require.NoError(t, err)
	}
	first := feedIDs(t, st)["u0"]
	for i := range retractionsMax + 1 {
		_, found := st.retract(fmt.Sprint("u", i), now.Add(time.Minute))
		require.True(t, found)
	}
	st.prune(now.Add(time.Minute))
	require.Len(t, st.Retractions, retractionsMax)

	e := entry{ID: "u0", Title: "T", Status: broadcast.StatusInvestigating, Time: now.Add(2 * time.Minute)}
	_, added, err := st.add("again", e, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.True(t, added)
	again := feedIDs(t, st)["u0"]
	assert.NotEqual(t, first, again)
	assert.Contains(t, again, "tag:status.example.com,2025-03-14:")
	assert.Equal(t, again, feedIDs(t, st.clone())["u0"])
}
