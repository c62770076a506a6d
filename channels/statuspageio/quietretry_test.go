package statuspageio

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update with no body text that changes the status, after one that made
// no incident update, whose answer is lost: its retry reads the incident
// first, which lists the incident update the first attempt made, and the
// request sent again makes none (the status is set). The retry names the
// first attempt's update, and a correction edits it.
func TestNoUpdateStatusChangeLostAnswerFound(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	q1 := send(t, ch, quiet(broadcast.StatusInvestigating), broadcast.Thread{Root: root, Last: root})
	require.Empty(t, q1.Meta[MetaUpdateID], "the status unchanged: no incident update")
	posts := len(f.Received())

	u := quiet(broadcast.StatusMonitoring)
	u.ID = "u_monitoring"
	m := broadcast.NewMessage(u)
	thread := broadcast.Thread{Root: root, Last: q1}
	f.answer(canned{pass: true}, lost) // the incident read, then the update
	_, err := attempt(ch, m, 1, thread)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err))
	d := f.Received()
	require.Len(t, d, posts+1, "the lost request made an incident update")
	made := d[posts].ID

	r, err := attempt(ch, m, 2, thread)
	require.NoError(t, err)
	assert.Len(t, f.Received(), posts+1, "no second incident update")
	assert.Equal(t, made, r.ID, "the retry names the update the first attempt made")
	assert.Equal(t, made, r.Meta[MetaUpdateID])

	_, err = ch.Edit(context.Background(), correction(u, "Monitoring the CDN after the fix."), r)
	require.NoError(t, err)
	assert.Contains(t, f.Received()[posts].Text, "Monitoring the CDN after the fix.")

	// Done: a later retry of it, as after a restart, does not use what
	// the first attempt read.
	_, ok := ch.s.lost.get(m.Key(""), root.Meta[MetaIncidentID], ch.s.now())
	assert.False(t, ok, "forgotten once the update completed")
}

// The same when the update goes to the incident a lost create made: its
// retry adopts that incident again, and names the incident update its
// first attempt made.
func TestNoUpdateStatusChangeAdoptingLostAnswerFound(t *testing.T) {
	f, ch, posts := lostCreate(t)

	u := quiet(broadcast.StatusMonitoring)
	m := broadcast.NewMessage(u)
	f.answer(canned{pass: true}, canned{pass: true}, lost) // the list, the incident read, then the update
	_, err := attempt(ch, m, 1, broadcast.Thread{})
	require.Error(t, err)
	d := f.Received()
	require.Len(t, d, posts+1, "the lost request made an incident update")

	r, err := attempt(ch, m, 2, broadcast.Thread{})
	require.NoError(t, err)
	assert.Equal(t, 1, f.incidentCount())
	assert.Len(t, f.Received(), posts+1, "no second incident update")
	assert.Equal(t, d[posts].ID, r.ID)
	assert.Equal(t, d[0].ID, r.Meta[MetaIncidentID])
}

// After a restart the channel remembers nothing of the lost request: the
// retry sends it again, which makes none, and its receipt names none (see
// the package documentation); it never takes an update made before it.
func TestNoUpdateStatusChangeLostAnswerAfterRestart(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	q1 := send(t, ch, quiet(broadcast.StatusInvestigating), broadcast.Thread{Root: root, Last: root})
	posts := len(f.Received())

	u := quiet(broadcast.StatusMonitoring)
	u.ID = "u_monitoring"
	m := broadcast.NewMessage(u)
	thread := broadcast.Thread{Root: root, Last: q1}
	f.answer(canned{pass: true}, lost)
	_, err := attempt(ch, m, 1, thread)
	require.Error(t, err)

	restarted := newChannel(t, f, nil)
	r, err := attempt(restarted, m, 2, thread)
	require.NoError(t, err)
	assert.Len(t, f.Received(), posts+1, "no second incident update")
	assert.Empty(t, r.ID)
	assert.Empty(t, r.Meta[MetaUpdateID])
}

// A failure of the incident read before an update with no body text is
// named as the read, not as the update, which was not sent.
func TestNoUpdateReadFailureNamesTheRead(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	q1 := send(t, ch, quiet(broadcast.StatusInvestigating), broadcast.Thread{Root: root, Last: root})
	n := len(f.sent())

	f.answer(canned{status: 503, body: "<html>503 Service Unavailable</html>"})
	_, err := attempt(ch, broadcast.NewMessage(quiet(broadcast.StatusMonitoring)), 1,
		broadcast.Thread{Root: root, Last: q1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "statuspageio: get incident: http status 503")
	assert.NotContains(t, err.Error(), "update incident")
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1, "the update was not sent")
	assert.Equal(t, "GET", reqs[0].method)
}

// What the channel remembers of lost requests lasts dedupWindow, holds
// for the same update and incident only, and is bounded.
func TestLostPatchesExpireAndAreBounded(t *testing.T) {
	now := time.Now()
	l := newLostPatches()
	l.add("k", "inc1", []string{"upd1"}, now, now)
	_, ok := l.get("k", "inc2", now)
	assert.False(t, ok, "another incident")
	_, ok = l.get("other", "inc1", now)
	assert.False(t, ok, "another update")
	e, ok := l.get("k", "inc1", now)
	require.True(t, ok)
	assert.Equal(t, []string{"upd1"}, e.seen)
	_, ok = l.get("k", "inc1", now.Add(dedupWindow+time.Second))
	assert.False(t, ok, "expired")

	for i := range maxLostPatches + 10 {
		l.add(fmt.Sprint("k-", i), "inc1", nil, now.Add(time.Duration(i)), now)
	}
	assert.Len(t, l.m, maxLostPatches)
	_, ok = l.get("k-0", "inc1", now)
	assert.False(t, ok, "the oldest dropped")
	_, ok = l.get(fmt.Sprint("k-", maxLostPatches+9), "inc1", now)
	assert.True(t, ok)
}
