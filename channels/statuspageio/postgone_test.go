package statuspageio

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// deleteByHand deletes the incident id, as its owner may in the dashboard.
func (f *fakeAPI) deleteByHand(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, inc := range f.incidents {
		if inc.id == id {
			inc.deleted = true
		}
	}
}

func newBroadcaster(t *testing.T, ch *Channel) *broadcast.Broadcaster {
	t.Helper()
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1},
		AttemptTimeout: time.Minute})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// Statuspage answers 404 {"error":"The requested resource could not be
// found."} for an incident deleted in the dashboard, on every route under
// it (the API reference's ErrorEntity; the fake answers so): Edit wraps
// broadcast.ErrPostGone, so that the Broadcaster posts the correction
// anew, and Retract of any of its updates counts it as deleted.
func TestEditRetractIncidentDeletedByHand(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	u := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	mid := send(t, ch, u, broadcast.Thread{Root: root, Last: root})
	f.deleteByHand(root.ID)

	_, err := ch.Edit(context.Background(), correction(u, "The cause is in the US region."), mid)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrPostGone), "%v", err)
	assert.NotContains(t, err.Error(), testKey)

	require.NoError(t, ch.Retract(context.Background(), mid), "a later update of an incident deleted")
	require.NoError(t, ch.Retract(context.Background(), root), "the incident deleted")
}

// Correct of an update whose incident was deleted in the dashboard posts
// the correction as a new incident, the only new post Statuspage has
// without the old one; later updates go to that incident. An ordinary
// update of the deleted incident still fails for good (see the package
// documentation).
func TestCorrectIncidentDeletedByHand(t *testing.T) {
	f := newFake(t)
	b := newBroadcaster(t, newChannel(t, f, nil))
	ctx := context.Background()
	u := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	for _, u := range []broadcast.Update{fullUpdate, u} {
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	old := f.Received()[0].ID
	f.deleteByHand(old)

	gone := later(broadcast.StatusMonitoring, "A fix is out.")
	_, err := b.Send(ctx, gone)
	require.Error(t, err, "an update of the deleted incident")
	assert.ErrorContains(t, err, "http status 404")
	assert.Equal(t, 1, f.incidentCount(), "no new incident for an ordinary update")

	fix := u
	fix.ID, fix.Body = "u_fix", "The cause is in the US region."
	rep, err := b.Correct(ctx, u.ID, fix)
	require.NoError(t, err)
	assert.Equal(t, 2, f.incidentCount(), "the correction, as a new incident")
	d := f.Received()
	created := d[len(d)-1]
	assert.Empty(t, created.ReplyTo, "the first update of a new incident")
	assert.Contains(t, created.Parts[2], "Correction:")
	assert.Equal(t, created.ID, rep.Results[0].Receipt.Meta[MetaIncidentID])

	next := later(broadcast.StatusResolved, "Resolved.")
	next.Time = next.Time.Add(time.Hour)
	_, err = b.Send(ctx, next)
	require.NoError(t, err)
	d = f.Received()
	assert.Equal(t, created.ID, d[len(d)-1].ReplyTo, "a later update, in the new incident")
	assert.Equal(t, 2, f.incidentCount())
}

// After Retract of an incident's first update (the incident deleted), the
// next update starts a new incident and the ones after it go there, not
// each to an incident of its own.
func TestSendAfterRetractThreads(t *testing.T) {
	f := newFake(t)
	b := newBroadcaster(t, newChannel(t, f, nil))
	ctx := context.Background()
	for _, u := range []broadcast.Update{fullUpdate, later(broadcast.StatusIdentified, "Found.")} {
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	_, err := b.Retract(ctx, fullUpdate.ID)
	require.NoError(t, err)
	for _, u := range []broadcast.Update{later(broadcast.StatusMonitoring, "A fix is out."), later(broadcast.StatusResolved, "Resolved.")} {
		u.Time = u.Time.Add(time.Hour)
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, f.incidentCount(), "the deleted incident and one new")
	d := f.Received()
	assert.Equal(t, d[len(d)-2].ID, d[len(d)-1].ReplyTo, "the last update, in the new incident")
}

// The API answers every refusal with its ErrorEntity ({"error": …} or
// {"message": …}, the API reference's; see TestEditRetractIncidentDeletedByHand),
// an unknown route's too. A 404 page without it (a proxy's, a BaseURL
// with a wrong path) is another server's answer (httpx.Foreign): it names
// Config.BaseURL, is permanent, and says nothing of the incident: Edit
// does not call it gone, Retract does not count it deleted, and Send
// does not open a new incident for a correction.
func TestForeignAnswerIsNotGone(t *testing.T) {
	f := newFake(t)
	root := send(t, newChannel(t, f, nil), fullUpdate, broadcast.Thread{})
	u := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	var posts atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<html><body><h1>404 Not Found</h1>nginx</body></html>")
	}))
	defer proxy.Close()
	ch := newChannel(t, f, func(c *Config) { c.BaseURL = proxy.URL + "/v1" })

	_, editErr := ch.Edit(context.Background(), correction(u, "The cause is in the US region."), root)
	m := correction(u, "The cause is in the US region.")
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, sendErr := ch.Send(context.Background(), m)
	for name, err := range map[string]error{"edit": editErr, "send": sendErr,
		"retract": ch.Retract(context.Background(), root)} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), name)
		assert.NotErrorIs(t, err, broadcast.ErrPostGone, name)
		assert.Contains(t, err.Error(), "Config.BaseURL", name)
		assert.NotContains(t, err.Error(), testKey, name)
	}
	assert.Zero(t, posts.Load(), "no incident created")
}

// An update of an incident deleted in the dashboard fails for good, and
// its error says so, naming the incident, and what to do: before, it was
// the API's bare "http status 404 Not Found: The requested resource could
// not be found.", which left the user guessing at the key or the page.
// A retry (which gets the incident first) says the same.
func TestUpdateOfIncidentDeletedByHandSaysSo(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.deleteByHand(root.ID)
	for attempt := 1; attempt <= 2; attempt++ {
		m := broadcast.NewMessage(later(broadcast.StatusIdentified, "Found."))
		m.Thread = broadcast.Thread{Root: root, Last: root}
		m.Attempt = attempt
		_, err := ch.Send(context.Background(), m)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.ErrorContains(t, err, "http status 404")
		assert.ErrorContains(t, err, "incident "+root.ID+" is not on the page (deleted in the dashboard?)")
		assert.ErrorContains(t, err, "correction")
	}
	assert.Equal(t, 1, f.incidentCount(), "no new incident")
}

// An update of an incident deleted in the dashboard, sent with component
// ids the channel kept, is refused with the API's 404 (its ErrorEntity,
// {"error":"The requested resource could not be found."}), which the
// channel cannot tell at once from a refusal of stale ids: it reads the
// component list again. When that read fails (a 503), a read of the
// incident tells: its 404 says the incident is gone, and the update fails
// for good, as it does when the list reads (it is a Send: not
// broadcast.ErrPostGone). Before, the error was transient, and the update
// was retried against an incident that is gone.
func TestUpdateOfIncidentDeletedByHandListFails(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.deleteByHand(root.ID)
	f.answer(canned{pass: true}, // the update: 404, the incident is gone
		canned{status: 503, body: `<html><body>503 Service Unavailable</body></html>`}) // the component list

	m := broadcast.NewMessage(later(broadcast.StatusIdentified, "Found."))
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)
	assert.ErrorContains(t, err, "http status 404")
	assert.ErrorContains(t, err, "incident "+root.ID+" is not on the page (deleted in the dashboard?)")
	assert.NotContains(t, err.Error(), testKey)
	assert.Equal(t, 1, f.incidentCount(), "no new incident")
}

// The same refusal of an incident that is still there (a 404 the channel
// takes for one of stale ids) stays transient when the component list
// cannot be read: the next attempt reads it again. The incident reads, so
// it is on the page: the error says so, and does not say it is not on the
// page, deleted in the dashboard; the 404 may be of a component id.
// Before, it did, as for an incident gone.
func TestStaleIDsListFailsIncidentThere(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 404, body: `{"error":"The requested resource could not be found."}`},
		canned{status: 503, body: `<html><body>503 Service Unavailable</body></html>`})

	m := broadcast.NewMessage(later(broadcast.StatusIdentified, "Found."))
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "reading the component list again to check its ids")
	assert.ErrorContains(t, err, "http status 404 Not Found: The requested resource could not be found.; incident "+root.ID+
		" is on the page: the 404 may be of a component id deleted since the list was read; "+
		"reading the component list again to check its ids: list components: http status 503")
	assert.NotContains(t, err.Error(), "not on the page")
	assert.NotContains(t, err.Error(), "deleted in the dashboard")
	assert.NotContains(t, err.Error(), testKey)
}
