package statuspageio

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// quiet is a later update of fullUpdate's incident at status whose body
// renders blank: it changes the components alone.
func quiet(status broadcast.Status) broadcast.Update {
	u := later(status, "")
	u.ID, u.URL = "u_quiet", ""
	u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentOperational}}
	return u
}

// A request with no body text that leaves the status makes no incident
// update: its receipt names none, not the incident's latest, with the
// same status and body, which an earlier update made; a correction of it
// is not edited into that one but posted anew (ErrNotEditable).
func TestNoUpdateMadeNamesNone(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, later(broadcast.StatusIdentified, ""), broadcast.Thread{Root: root, Last: root})
	require.NotEmpty(t, mid.Meta[MetaUpdateID])
	posts := len(f.Received())

	r := send(t, ch, quiet(broadcast.StatusIdentified), broadcast.Thread{Root: root, Last: mid})
	require.Len(t, f.Received(), posts, "Statuspage made no incident update")
	assert.Empty(t, r.Meta[MetaUpdateID], "no incident update was made")
	assert.NotEqual(t, mid.ID, r.ID)
	assert.Equal(t, root.Meta[MetaIncidentID], r.Meta[MetaIncidentID], "the incident is named")

	n := len(f.sent())
	_, err := ch.Edit(context.Background(), correction(quiet(broadcast.StatusIdentified), "The CDN is back."), r)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrNotEditable), "%v", err)
	assert.Empty(t, f.sent()[n:], "nothing is edited")
}

// Without the receipt of the update before to tell it (one made by an
// earlier version), an incident update created before the request was
// sent, less the clocks' skew, is not taken for the one it made.
func TestNoUpdateMadeOlderNotTaken(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	mid := send(t, ch, later(broadcast.StatusIdentified, ""), broadcast.Thread{Root: root, Last: root})
	ch.s.now = func() time.Time { return time.Now().Add(5 * time.Minute) }

	bare := broadcast.Receipt{Channel: ch.Name(), Meta: map[string]string{MetaIncidentID: root.Meta[MetaIncidentID]}}
	r := send(t, ch, quiet(broadcast.StatusIdentified), broadcast.Thread{Root: bare, Last: bare})
	assert.Empty(t, r.Meta[MetaUpdateID], "no incident update was made")
	assert.NotEqual(t, mid.ID, r.ID)
}

// An incident update that the request made is named, whatever its body
// (blank here), when it changes the status.
func TestBlankBodyStatusChangeNamed(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	posts := len(f.Received())
	r := send(t, ch, quiet(broadcast.StatusMonitoring), broadcast.Thread{Root: root, Last: root})
	d := f.Received()
	require.Len(t, d, posts+1)
	assert.Equal(t, d[len(d)-1].ID, r.ID)
	assert.Equal(t, r.ID, r.Meta[MetaUpdateID])
}

// lostCreate returns a fake Statuspage and a channel whose first update's
// create was made there with its answer lost, and the number of requests
// the fake received, the one that made the incident.
func lostCreate(t *testing.T) (*fakeAPI, *Channel, int) {
	t.Helper()
	f := newFake(t)
	ch := newChannel(t, f, nil)
	f.answer(canned{pass: true}, lost) // the component list, then the create
	_, err := attempt(ch, broadcast.NewMessage(fullUpdate), 1, broadcast.Thread{})
	require.Error(t, err)
	posts := len(f.Received())
	require.Equal(t, 1, posts, "the lost create made the incident")
	return f, ch, posts
}
