package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// currentByID is a channel that cannot edit: every correction is posted
// in the thread. It records each post and Message.Current by update ID.
type currentByID struct {
	name    string
	mu      sync.Mutex
	posted  []string
	current map[string]bool
}

func (c *currentByID) Name() string { return c.name }

func (c *currentByID) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posted = append(c.posted, m.Update.ID)
	if c.current == nil {
		c.current = map[string]bool{}
	}
	c.current[m.Update.ID] = m.Current()
	return broadcast.Receipt{ID: fmt.Sprint(c.name, "-", len(c.posted))}, nil
}

func (c *currentByID) currentOf(ids ...string) []bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []bool
	for _, id := range ids {
		cur, ok := c.current[id]
		if !ok {
			panic(id + " not posted on " + c.name)
		}
		out = append(out, cur)
	}
	return out
}

// deletingByID is currentByID on a platform that deletes posts.
type deletingByID struct{ *currentByID }

func (deletingByID) Retract(context.Context, broadcast.Receipt) error { return nil }

// updateAt is validUpdate with id, of incident "inc", at t.
// sendAll sends us through b in their order, each delivered.
func sendAll(t *testing.T, b *broadcast.Broadcaster, us ...broadcast.Update) {
	t.Helper()
	for _, u := range us {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
}

func updateAt(id string, t time.Time, status broadcast.Status) broadcast.Update {
	u := validUpdate()
	u.ID, u.IncidentID, u.Time, u.Status = id, "inc", t, status
	return u
}

func correctWith(t *testing.T, b *broadcast.Broadcaster, original, id string) {
	t.Helper()
	u := validUpdate()
	u.ID, u.IncidentID, u.Body = id, "inc", "Corrected: "+id+"."
	rep, err := b.Correct(context.Background(), original, u)
	require.NoError(t, err)
	for _, r := range rep.Results {
		require.NoError(t, r.Err, r.Channel)
		require.False(t, r.Superseded || r.Skipped, r.Channel)
	}
}

// Once the newer update n is retracted, a correction of the older update
// u posted after n (c1, not current: n was up) no longer makes u's chain
// stale where n was deleted: u's chain is the newest thing left up, and
// later corrections, of c1 or of u, say its current status, as
// Message.Current says of a thread whose latest post is a correction of
// the update corrected. Where the platform cannot delete, n stays up,
// newer than u, and every correction of u's chain stays not current. The
// correction's place, moved past n's when it was posted, ignored the
// deletion: every later correction was not current on both.
func TestMessageCurrentAfterNewerRetracted(t *testing.T) {
	del, keep := &currentByID{name: "del"}, &currentByID{name: "keep"}
	b := newBroadcaster(t, broadcast.Options{}, deletingByID{del}, keep)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("u", t0, broadcast.StatusInvestigating),
		updateAt("n", t0.Add(time.Minute), broadcast.StatusResolved),
	)
	correctWith(t, b, "u", "c1")
	_, err := b.Retract(ctx, "n")
	require.ErrorIs(t, err, broadcast.ErrNotSupported) // keep cannot delete
	correctWith(t, b, "c1", "c2")
	correctWith(t, b, "u", "c3")
	correctWith(t, b, "c3", "c4")

	assert.Equal(t, []bool{false, true, true, true}, del.currentOf("c1", "c2", "c3", "c4"), "n deleted")
	assert.Equal(t, []bool{false, false, false, false}, keep.currentOf("c1", "c2", "c3", "c4"), "n still up")
}

// A retracted newer update stops making a correction stale only when no
// other update newer than the corrected one is up: here n2, between u and
// n, stays, and the corrections of u's chain stay not current.
func TestMessageCurrentAfterNewerRetractedOtherNewerUp(t *testing.T) {
	del := &currentByID{name: "del"}
	b := newBroadcaster(t, broadcast.Options{}, deletingByID{del})
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("u", t0, broadcast.StatusInvestigating),
		updateAt("n2", t0.Add(time.Minute), broadcast.StatusIdentified),
		updateAt("n", t0.Add(2*time.Minute), broadcast.StatusResolved),
	)
	correctWith(t, b, "u", "c1")
	_, err := b.Retract(ctx, "n")
	require.NoError(t, err)
	correctWith(t, b, "c1", "c2")
	correctWith(t, b, "u", "c3")
	correctWith(t, b, "n2", "c5")

	assert.Equal(t, []bool{false, false, false, true}, del.currentOf("c1", "c2", "c3", "c5"))
}

// An update m newer than u and older than n, sent after n was retracted,
// is posted where n was deleted, though a correction of u posted after n
// is the thread's latest post: that correction took n's Time, and kept it
// once n was gone, so m stayed Superseded. Where n is still up, m is
// Superseded.
func TestNewerThanCorrectedNotSupersededAfterRetract(t *testing.T) {
	del, keep := &currentByID{name: "del"}, &currentByID{name: "keep"}
	b := newBroadcaster(t, broadcast.Options{}, deletingByID{del}, keep)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("u", t0, broadcast.StatusInvestigating),
		updateAt("n", t0.Add(2*time.Minute), broadcast.StatusResolved),
	)
	correctWith(t, b, "u", "c1")
	_, err := b.Retract(ctx, "n")
	require.ErrorIs(t, err, broadcast.ErrNotSupported)
	rep, err := b.Send(ctx, updateAt("m", t0.Add(time.Minute), broadcast.StatusIdentified))
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "n was deleted on del")
	assert.True(t, rep.Results[1].Superseded, "n is still up on keep")
	del.mu.Lock()
	defer del.mu.Unlock()
	assert.Equal(t, []string{"u", "n", "c1", "m"}, del.posted)
}

// A correction of the latest update posted after a correction of one of
// its corrections is current, as is the next correction of that update:
// the thread's latest post is of the update's own chain, no newer update.
// The second took the first's place and a nanosecond, which looked like
// a move past a newer post.
func TestMessageCurrentAfterOwnChain(t *testing.T) {
	x := &currentByID{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	_, err := b.Send(context.Background(), updateAt("u", time.Now().Add(-time.Hour).UTC(), broadcast.StatusInvestigating))
	require.NoError(t, err)
	correctWith(t, b, "u", "c1")
	correctWith(t, b, "c1", "c2")
	correctWith(t, b, "u", "c3")
	correctWith(t, b, "u", "c4")
	assert.Equal(t, []bool{true, true, true, true}, x.currentOf("c1", "c2", "c3", "c4"))
}
