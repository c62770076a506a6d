package statuspageio

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// lost is an answer lost on its way back: the request was carried out.
var lost = canned{status: 502, body: "<html>502 Bad Gateway</html>", lose: true}

// attempt makes one attempt at m with that number and thread.
func attempt(ch *Channel, m broadcast.Message, n int, thread broadcast.Thread) (broadcast.Receipt, error) {
	m.Attempt, m.Thread = n, thread
	return ch.Send(context.Background(), m)
}

// A retry after the answer to the incident's creation was lost finds the
// incident by the key in its metadata, or, when the page returns no
// metadata, by its name and first body, in the list for its status; it
// creates no second incident.
func TestRetryFindsCreatedIncident(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   broadcast.Status
		metadata bool
		lookup   string
	}{
		{"by key", broadcast.StatusInvestigating, true, "/incidents/unresolved?per_page=100"},
		{"by name and body", broadcast.StatusInvestigating, false, "/incidents/unresolved?per_page=100"},
		{"scheduled", broadcast.StatusScheduled, true, "/incidents/upcoming?per_page=100"},
		{"in progress", broadcast.StatusInProgress, false, "/incidents/active_maintenance?per_page=100"},
		{"resolved", broadcast.StatusResolved, true, "/incidents?limit=100&q=Elevated+error+rates+on+the+CDN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.dropMetadata = !tt.metadata
			ch := newChannel(t, f, nil)
			u := fullUpdate
			u.Status, u.Components = tt.status, nil
			m := broadcast.NewMessage(u)
			f.answer(lost)
			_, err := attempt(ch, m, 1, broadcast.Thread{})
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))

			r, err := attempt(ch, m, 2, broadcast.Thread{})
			require.NoError(t, err)
			assert.Equal(t, 1, f.incidentCount(), "incidents created")
			d := f.Received()
			require.Len(t, d, 1)
			assert.Equal(t, d[0].ID, r.ID)
			assert.NotEmpty(t, r.Meta[MetaUpdateID])
			reqs := f.sent()
			require.Len(t, reqs, 2)
			assert.Equal(t, "GET /v1/pages/"+testPage+tt.lookup, reqs[1].method+" "+reqs[1].path+"?"+reqs[1].query)
		})
	}
}

// The look-up does not take another incident for the update's: one made by
// another update (another key), or, without metadata, one with another
// first body. A retry after a plain failure creates the incident.
func TestRetryCreatesWhenNothingFound(t *testing.T) {
	for _, metadata := range []bool{true, false} {
		f := newFake(t)
		f.dropMetadata = !metadata
		ch := newChannel(t, f, nil)
		other := fullUpdate
		other.ID, other.IncidentID, other.Body = "u_other", "cdn-errors-again", "Another incident of the same name."
		send(t, ch, other, broadcast.Thread{})

		m := broadcast.NewMessage(fullUpdate)
		f.answer(canned{status: 503, body: `{"error":"Service Unavailable"}`})
		_, err := attempt(ch, m, 1, broadcast.Thread{})
		require.Error(t, err)
		r, err := attempt(ch, m, 2, broadcast.Thread{})
		require.NoError(t, err)
		assert.Equalf(t, 2, f.incidentCount(), "metadata %v", metadata)
		assert.Equal(t, f.Received()[1].ID, r.ID)
	}
}

// A first attempt never looks: it is the common case, and the API allows
// one request a second.
func TestFirstAttemptDoesNotLook(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Components = nil
	send(t, ch, u, broadcast.Thread{})
	reqs := f.sent()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].method)
}

// A retry after the answer to a later update was lost finds the incident
// update in the incident and posts nothing twice; after a plain failure it
// posts the update.
func TestRetryFindsPostedUpdate(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	thread := broadcast.Thread{Root: root, Last: root}
	m := broadcast.NewMessage(later(broadcast.StatusIdentified, "The cause is known."))
	f.answer(lost)
	_, err := attempt(ch, m, 1, thread)
	require.Error(t, err)
	n := len(f.sent())
	r, err := attempt(ch, m, 2, thread)
	require.NoError(t, err)
	d := f.Received()
	require.Len(t, d, 2, "one incident update")
	assert.Equal(t, d[1].ID, r.ID)
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET /v1/pages/"+testPage+"/incidents/"+root.ID, reqs[0].method+" "+reqs[0].path)

	m = broadcast.NewMessage(later(broadcast.StatusMonitoring, "A fix is out."))
	f.answer(canned{status: 500, body: `{"error":"Internal Server Error"}`})
	_, err = attempt(ch, m, 1, thread)
	require.Error(t, err)
	r, err = attempt(ch, m, 2, thread)
	require.NoError(t, err)
	d = f.Received()
	require.Len(t, d, 3)
	assert.Equal(t, d[2].ID, r.ID)
}

// A whole 2xx whose body is not the API's answer is another server's
// (TestForeignSuccess), Permanent, even when the request did reach
// Statuspage and a proxy replaced its answer: nothing in the answer shows
// it. Before, it was transient, and a retry found what was made; that
// retry still finds it, rather than making a second incident.
func TestUnreadableAnswer(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Components = nil
	m := broadcast.NewMessage(u)
	f.answer(canned{status: 201, body: "<html>OK</html>", lose: true})
	_, err := attempt(ch, m, 1, broadcast.Thread{})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "http status 201 Created: <html>OK</html>; not the Statuspage API's answer (check Config.BaseURL)")
	r, err := attempt(ch, m, 2, broadcast.Thread{})
	require.NoError(t, err)
	assert.Equal(t, 1, f.incidentCount())
	assert.Equal(t, f.Received()[0].ID, r.ID)
}

// An Update.Time ahead of the channel's clock, by less than the 5 minutes
// the Broadcaster accepts, does not hide the incident update an earlier
// attempt made from a retry once the clock passes that Time: the earlier
// attempt may have been made up to 5 minutes before it. Before, the
// retry looked only from a minute before the Time, and posted the update
// a second time.
func TestRetryFindsPostedUpdateWrittenAhead(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	thread := broadcast.Thread{Root: root, Last: root}
	start := time.Now()
	clock := start
	ch.s.now = func() time.Time { return clock }
	u := later(broadcast.StatusIdentified, "The cause is known.")
	u.Time = start.Add(4 * time.Minute) // a writer's clock ahead of this one
	m := broadcast.NewMessage(u)
	f.answer(lost)
	_, err := attempt(ch, m, 1, thread)
	require.Error(t, err)

	clock = start.Add(5 * time.Minute) // retried after the Time
	r, err := attempt(ch, m, 2, thread)
	require.NoError(t, err)
	d := f.Received()
	require.Len(t, d, 2, "one incident update")
	assert.Equal(t, d[1].ID, r.ID)
}
