package statuspageio

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
)

// correction returns the correction of u, as Broadcaster.Correct makes it.
func correction(u broadcast.Update, body string) broadcast.Message {
	c := u
	c.ID, c.Body, c.Corrects = "", body, u.ID
	return broadcast.NewMessage(c)
}

// Edit replaces the body of the corrected update's incident update, and
// nothing else: PATCH of the incident update with its body alone.
func TestEdit(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	u := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	mid := send(t, ch, u, broadcast.Thread{Root: root, Last: root})
	n := len(f.sent())

	r, err := ch.Edit(context.Background(), correction(u, "The cause is in the US region."), mid)
	require.NoError(t, err)
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, "PATCH /v1/pages/"+testPage+"/incidents/"+root.ID+"/incident_updates/"+mid.ID,
		reqs[0].method+" "+reqs[0].path)
	golden.JSON(t, "edit.json", reqs[0].raw)
	assert.Equal(t, mid.ID, r.ID)
	assert.Equal(t, mid.Meta, r.Meta)
	assert.Equal(t, mid.URL, r.URL)

	d := f.Received()
	require.Len(t, d, 2)
	assert.Equal(t, "Correction:\nThe cause is in the US region.\n\nhttps://status.example.com/incidents/42", d[1].Parts[2])
	assert.Equal(t, "Identified", d[1].Parts[1], "the status stays")
}

// Edit needs a receipt naming the incident update.
func TestEditWithoutIDs(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	_, err := ch.Edit(context.Background(), correction(fullUpdate, "x"), broadcast.Receipt{Channel: "ops-status", ID: "abc"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Empty(t, f.sent())
}

// Retract of an incident's first update deletes the incident, with all its
// updates; again, it is already gone, which is no error.
func TestRetractFirst(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	send(t, ch, later(broadcast.StatusMonitoring, "A fix is out."), broadcast.Thread{Root: root, Last: root})
	n := len(f.sent())

	require.NoError(t, ch.Retract(context.Background(), root))
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, "DELETE /v1/pages/"+testPage+"/incidents/"+root.ID, reqs[0].method+" "+reqs[0].path)
	assert.Empty(t, reqs[0].raw)
	for _, d := range f.Received() {
		assert.True(t, d.Deleted, d.ID)
	}
	require.NoError(t, ch.Retract(context.Background(), root), "an incident already deleted")
}

// A later update cannot be deleted alone: Retract fails permanently with
// ErrNotSupported, changing nothing; it only reads the incident, to see
// whether it is gone (see TestEditRetractIncidentDeletedByHand).
func TestRetractLater(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, later(broadcast.StatusMonitoring, "A fix is out."), broadcast.Thread{Root: root, Last: root})
	n := len(f.sent())

	err := ch.Retract(context.Background(), mid)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrNotSupported))
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "the API deletes whole incidents only")
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET /v1/pages/"+testPage+"/incidents/"+root.ID, reqs[0].method+" "+reqs[0].path, "a read only")
	for _, d := range f.Received() {
		assert.False(t, d.Deleted)
	}

	err = ch.Retract(context.Background(), broadcast.Receipt{Channel: "ops-status", ID: root.ID})
	require.Error(t, err, "a receipt without the incident's id")
	assert.True(t, broadcast.IsPermanent(err))
}

// The error of a Retract of a later update says to delete it in the
// dashboard: once it is deleted there, the Retract succeeds, as for any
// post already gone, rather than failing the same way for good.
func TestRetractLaterDeletedInDashboard(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, later(broadcast.StatusMonitoring, "A fix is out."), broadcast.Thread{Root: root, Last: root})
	require.ErrorIs(t, ch.Retract(context.Background(), mid), broadcast.ErrNotSupported)

	f.deleteUpdate(mid.Meta[MetaUpdateID])
	require.NoError(t, ch.Retract(context.Background(), mid))
	d := f.Received()
	require.Len(t, d, 2)
	assert.False(t, d[0].Deleted, "the incident stays")
	assert.True(t, d[1].Deleted)
}

// Edit under SkipNotifications tells the API not to notify subscribers of
// the corrected text, as every other request of the channel does; without
// it, the edit is left to the API's default, as before.
func TestEditSkipNotifications(t *testing.T) {
	for _, skip := range []bool{false, true} {
		f := newFake(t)
		ch := newChannel(t, f, func(c *Config) { c.SkipNotifications = skip })
		root := send(t, ch, fullUpdate, broadcast.Thread{})
		n := len(f.sent())
		_, err := ch.Edit(context.Background(), correction(fullUpdate, "The cause is in the US region."), root)
		require.NoError(t, err)
		reqs := f.sent()[n:]
		require.Len(t, reqs, 1)
		var b editBody
		require.NoError(t, json.Unmarshal(reqs[0].raw, &b))
		require.NotNil(t, b.IncidentUpdate)
		if skip {
			require.NotNil(t, b.IncidentUpdate.DeliverNotifications, "deliver_notifications with SkipNotifications")
			assert.False(t, *b.IncidentUpdate.DeliverNotifications)
		} else {
			assert.Nil(t, b.IncidentUpdate.DeliverNotifications)
		}
	}
}
