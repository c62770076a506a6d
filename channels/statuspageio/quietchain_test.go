package statuspageio

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Two updates in a row that make no incident update (components alone)
// within a minute of one that made one: the second's thread names no
// incident update of the first (it has none), yet its receipt is not
// given the earlier update's, and its correction does not replace that
// update's text.
func TestNoUpdateAfterNoUpdateNamesNone(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, later(broadcast.StatusIdentified, "The cause is in the EU region."), broadcast.Thread{Root: root, Last: root})
	require.NotEmpty(t, mid.Meta[MetaUpdateID])
	q1 := send(t, ch, quiet(broadcast.StatusIdentified), broadcast.Thread{Root: root, Last: mid})
	require.Empty(t, q1.Meta[MetaUpdateID])
	posts := len(f.Received())

	u := quiet(broadcast.StatusIdentified)
	u.ID = "u_quiet2"
	u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded}}
	q2 := send(t, ch, u, broadcast.Thread{Root: root, Last: q1})
	require.Len(t, f.Received(), posts, "Statuspage made no incident update")
	assert.Empty(t, q2.Meta[MetaUpdateID], "no incident update was made")
	assert.Empty(t, q2.ID)

	_, err := ch.Edit(context.Background(), correction(u, "The CDN is slow, not down."), q2)
	assert.True(t, errors.Is(err, broadcast.ErrNotEditable), "%v", err)
	for _, d := range f.Received() {
		if d.ID == mid.ID {
			assert.Contains(t, d.Text, "The cause is in the EU region.", "the earlier update's text stays")
		}
	}
}

// The same after an update that adopted the incident a lost create made:
// the update made by that create is not taken for the one a request with
// no body text made.
func TestNoUpdateAdoptingNamesNone(t *testing.T) {
	f, ch, posts := lostCreate(t)

	u := quiet(broadcast.StatusInvestigating)
	r, err := attempt(ch, broadcast.NewMessage(u), 1, broadcast.Thread{})
	require.NoError(t, err)
	require.Equal(t, 1, f.incidentCount(), "the update went to the incident the lost create made")
	require.Len(t, f.Received(), posts, "Statuspage made no incident update")
	assert.Empty(t, r.Meta[MetaUpdateID], "no incident update was made")
	assert.Empty(t, r.ID)
}

// A retry of such an update does not take an earlier update with its
// status and no body text (a status change alone) for the one an earlier
// attempt made: sent again, it makes none.
func TestNoUpdateRetryAfterNoUpdateNamesNone(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, quiet(broadcast.StatusIdentified), broadcast.Thread{Root: root, Last: root})
	require.NotEmpty(t, mid.Meta[MetaUpdateID], "the status changed: an incident update with no body text")
	q1u := quiet(broadcast.StatusIdentified)
	q1u.ID = "u_quiet1"
	q1 := send(t, ch, q1u, broadcast.Thread{Root: root, Last: mid})
	require.Empty(t, q1.Meta[MetaUpdateID])
	posts := len(f.Received())

	u := quiet(broadcast.StatusIdentified)
	u.ID = "u_quiet2"
	u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded}}
	r, err := attempt(ch, broadcast.NewMessage(u), 2, broadcast.Thread{Root: root, Last: q1})
	require.NoError(t, err)
	require.Len(t, f.Received(), posts, "Statuspage made no incident update")
	assert.Empty(t, r.Meta[MetaUpdateID], "no incident update was made")
	assert.Empty(t, r.ID)
}
