package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction reaches every channel the original reached, whatever its
// routed fields now say: the wrong post is out there, and its readers are
// the ones who must see the fix. Here an SMS route that takes the first
// and the resolved update posted the first one; its correction is no
// longer the incident's first post on the channel, and its status is not
// resolved. And an X route for investigating and resolved posted an update
// whose status was wrong; the correction fixing the status edits it there.
func TestCorrectReachesWhereTheOriginalWent(t *testing.T) {
	sms := &script{name: "sms"}
	x := &editable{script: script{name: "x"}}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"sms": {Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true},
		"x":   {Statuses: []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}},
	}}, sms, x)
	wrong := validUpdate()
	rep, err := b.Send(context.Background(), wrong)
	require.NoError(t, err)
	require.Equal(t, 1, sms.count())
	require.Equal(t, 1, x.count())

	fixed := validUpdate()
	fixed.Status = broadcast.StatusIdentified
	fixed.Body = "We identified the cause: a bad CDN configuration."
	rep, err = b.Correct(context.Background(), rep.UpdateID, fixed)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].NotSelected, "sms posted the original")
	assert.Equal(t, 2, sms.count(), "the correction is posted in the SMS thread")
	assert.False(t, rep.Results[1].NotSelected, "x posted the original")
	assert.Len(t, x.edits, 1, "the X post is edited in place")
}

// routedAway sets up incident cdn-42 on channels web (every update) and x
// (major and critical incidents only): wrong, a minor update, is routed
// away from x; then next, a major update of the incident, is x's first
// post of it. It returns the two updates, sent with send.
func routedAway(t *testing.T, send func(broadcast.Update)) (wrong, next broadcast.Update) {
	t.Helper()
	wrong = validUpdate()
	wrong.ID, wrong.IncidentID, wrong.Impact = "wrong", "cdn-42", broadcast.ImpactMinor
	wrong.Time = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	send(wrong)
	next = validUpdate()
	next.ID, next.IncidentID, next.Impact = "next", "cdn-42", broadcast.ImpactMajor
	next.Time = wrong.Time.Add(time.Minute)
	send(next)
	return wrong, next
}

var majorOnX = map[string]broadcast.Route{"x": {Impacts: []broadcast.Impact{broadcast.ImpactMajor, broadcast.ImpactCritical}}}

// A correction does not reach a channel whose Route left its original
// out: its readers never saw the wrong post, and "Correction: …" of it
// would only puzzle them. Here x posted a later update of the incident, so
// its thread exists there and the impact no longer filters; the
// correction, of the minor update x never posted, stays off x all the
// same.
func TestCorrectSkipsWhereTheOriginalWasRoutedAway(t *testing.T) {
	web, x := &script{name: "web"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Routes: majorOnX}, web, x)
	wrong, _ := routedAway(t, func(u broadcast.Update) {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	})
	require.Equal(t, 1, x.count(), "x posted only the major update")

	fixed := wrong
	fixed.ID, fixed.Body = "fixed", "We are investigating elevated error rates on the CDN in Europe."
	why, err := b.CorrectionRejects(context.Background(), wrong.ID, fixed, "x")
	require.NoError(t, err)
	assert.Equal(t, "impacts [major, critical] does not select impact minor", why, "a dry run says so")
	why, err = b.CorrectionRejects(context.Background(), wrong.ID, fixed, "web")
	require.NoError(t, err)
	assert.Empty(t, why)
	rep, err := b.Correct(context.Background(), wrong.ID, fixed)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].NotSelected, "web posted the original")
	assert.True(t, rep.Results[1].NotSelected, "x never posted the original: %+v", rep.Results[1])
	assert.Equal(t, 1, x.count(), "no correction of a post x never made")
}

// The same through Jobs, with the correction's Job run by another
// instance sharing the Store: the original's routing is the Store's
// record, not the memory of the instance that sent it.
func TestCorrectJobSkipsWhereTheOriginalWasRoutedAway(t *testing.T) {
	store := broadcast.NewMemoryStore()
	web, x := &script{name: "web"}, &script{name: "x"}
	opts := broadcast.Options{Routes: majorOnX, Store: store, Lock: store.Lock}
	a := newBroadcaster(t, opts, web, x)
	b := newBroadcaster(t, opts, web, x)
	wrong, _ := routedAway(t, func(u broadcast.Update) {
		jobs, err := a.Jobs(broadcast.JobSend, u, "")
		require.NoError(t, err)
		for _, j := range jobs {
			require.NoError(t, a.RunJob(context.Background(), j, 1).Err)
		}
	})
	require.Equal(t, 1, x.count())

	fixed := wrong
	fixed.ID, fixed.Body = "fixed", "We are investigating elevated error rates on the CDN in Europe."
	jobs, err := b.Jobs(broadcast.JobCorrect, fixed, wrong.ID)
	require.NoError(t, err)
	r := b.RunJob(context.Background(), jobs[0], 1)
	require.NoError(t, r.Err)
	assert.False(t, r.NotSelected, "web posted the original")
	r = b.RunJob(context.Background(), jobs[1], 1)
	require.NoError(t, r.Err)
	assert.True(t, r.NotSelected, "x never posted the original: %+v", r)
	assert.Equal(t, 1, x.count())
}

// A correction reaches a channel whose delivery of the original is still
// under way there (it failed transiently, and its retries, a queue's Job
// say, are to come): the Route selected the original, whatever it says of
// the correction, which takes the original's place there. Here x takes
// only investigating updates, and the correction fixes the status.
func TestCorrectReachesWhereTheOriginalIsPending(t *testing.T) {
	for _, viaJobs := range []bool{false, true} {
		web := &script{name: "web"}
		x := &script{name: "x", errs: slices.Repeat([]error{errFlaky}, fast.MaxAttempts)}
		b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
			"x": {Statuses: []broadcast.Status{broadcast.StatusInvestigating}},
		}}, web, x)
		wrong := validUpdate()
		wrong.ID, wrong.IncidentID = "wrong", "cdn-42"
		fixed := wrong
		fixed.ID, fixed.Status = "fixed", broadcast.StatusIdentified
		var r broadcast.Result
		if viaJobs {
			jobs, err := b.Jobs(broadcast.JobSend, wrong, "")
			require.NoError(t, err)
			require.NoError(t, b.RunJob(context.Background(), jobs[0], 1).Err)
			x.errs = x.errs[:1]
			require.ErrorIs(t, b.RunJob(context.Background(), jobs[1], 1).Err, errFlaky, "to be run again")
			jobs, err = b.Jobs(broadcast.JobCorrect, fixed, wrong.ID)
			require.NoError(t, err)
			r = b.RunJob(context.Background(), jobs[1], 1)
		} else {
			rep, err := b.Send(context.Background(), wrong)
			require.ErrorIs(t, err, errFlaky, "x's retries ran out")
			require.NoError(t, rep.Results[0].Err)
			r = correctedOnX(t, b, wrong.ID, fixed)
		}
		require.NoError(t, r.Err, "jobs %v", viaJobs)
		assert.False(t, r.NotSelected, "jobs %v: x's delivery of the original is pending", viaJobs)
		last := x.message(x.count() - 1)
		assert.Equal(t, "fixed", last.Update.ID, "jobs %v", viaJobs)
		assert.Equal(t, "wrong", last.Update.Corrects, "jobs %v", viaJobs)
	}
}

// A correction reaches a channel its original reached through Jobs too,
// though the Route would leave the correction itself out.
func TestCorrectJobReachesWhereTheOriginalWent(t *testing.T) {
	sms := &script{name: "sms"}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"sms": {Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true},
	}}, sms)
	wrong := validUpdate()
	wrong.ID, wrong.IncidentID = "wrong", "cdn-42"
	jobs, err := b.Jobs(broadcast.JobSend, wrong, "")
	require.NoError(t, err)
	require.NoError(t, b.RunJob(context.Background(), jobs[0], 1).Err)
	fixed := wrong
	fixed.ID, fixed.Status = "fixed", broadcast.StatusIdentified
	jobs, err = b.Jobs(broadcast.JobCorrect, fixed, wrong.ID)
	require.NoError(t, err)
	r := b.RunJob(context.Background(), jobs[0], 1)
	require.NoError(t, r.Err)
	assert.False(t, r.NotSelected, "sms posted the original")
	assert.Equal(t, 2, sms.count())
}

// A correction that makes the update one the Route takes reaches a
// channel that left the original out, routed as the original was: here
// the impact was wrong, and the incident is a critical one, which x takes.
func TestCorrectRoutedAsTheOriginal(t *testing.T) {
	web, x := &script{name: "web"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Routes: majorOnX}, web, x)
	wrong, _ := routedAway(t, func(u broadcast.Update) {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	})
	fixed := wrong
	fixed.ID, fixed.Impact = "fixed", broadcast.ImpactCritical
	assert.False(t, correctedOnX(t, b, wrong.ID, fixed).NotSelected, "x takes critical incidents")
	require.Equal(t, 2, x.count())
	assert.Equal(t, "wrong", x.message(1).Update.Corrects)
}

// A Send of the original again, once the channel has posted a later
// update of the incident, does not make the Store forget that the Route
// left the original out as the incident's first post there: here x takes
// major and critical incidents, investigating and resolved updates only;
// the minor update, left out by its impact as x's first post, is sent
// again after x posted the major one, and left out again by its status.
// Its correction, still minor, fixes the status to investigating, which x
// takes; routed as the original was, as x's first post, it stays off x.
func TestCorrectRoutedAsTheOriginalAfterItsResend(t *testing.T) {
	web, x := &script{name: "web"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{"x": {
		Impacts:  []broadcast.Impact{broadcast.ImpactMajor, broadcast.ImpactCritical},
		Statuses: []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved},
	}}}, web, x)
	send := func(u broadcast.Update) *broadcast.Report {
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		return rep
	}
	wrong := validUpdate()
	wrong.ID, wrong.IncidentID, wrong.Impact = "wrong", "cdn-42", broadcast.ImpactMinor
	wrong.Status = broadcast.StatusIdentified
	wrong.Time = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	require.True(t, send(wrong).Results[1].NotSelected)
	next := validUpdate()
	next.ID, next.IncidentID = "next", "cdn-42"
	next.Time = wrong.Time.Add(time.Minute)
	send(next)
	require.Equal(t, 1, x.count(), "x posted only the major update")
	require.True(t, send(wrong).Results[1].NotSelected, "sent again, left out by its status")

	fixed := wrong
	fixed.ID, fixed.Status = "fixed", broadcast.StatusInvestigating
	why, err := b.CorrectionRejects(context.Background(), wrong.ID, fixed, "x")
	require.NoError(t, err)
	assert.Equal(t, "impacts [major, critical] does not select impact minor", why)
	rep, err := b.Correct(context.Background(), wrong.ID, fixed)
	require.NoError(t, err)
	assert.True(t, rep.Results[1].NotSelected, "x never posted the original: %+v", rep.Results[1])
	assert.Equal(t, 1, x.count(), "no correction of a post x never made")
}

// marklessStore fails every Mark of channel x while failing is set: a
// Store in trouble that saved a post's receipt but none of its marks.
type marklessStore struct {
	*broadcast.MemoryStore
	failing bool
}

func (s *marklessStore) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if s.failing && channel == "x" {
		return errors.New("disk full")
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A correction reaches a channel that posted its original whose marks
// there could not be written (ErrNotRecorded): its receipt says the wrong
// post is out there. Here x takes only investigating updates, and the
// correction fixes the status.
func TestCorrectReachesWhereTheOriginalWentUnmarked(t *testing.T) {
	store := &marklessStore{MemoryStore: broadcast.NewMemoryStore(), failing: true}
	web, x := &script{name: "web"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Store: store, Routes: map[string]broadcast.Route{
		"x": {Statuses: []broadcast.Status{broadcast.StatusInvestigating}},
	}}, web, x)
	wrong := validUpdate()
	wrong.ID, wrong.IncidentID = "wrong", "cdn-42"
	_, err := b.Send(context.Background(), wrong)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	require.Equal(t, 1, x.count(), "x posted the original")
	store.failing = false

	fixed := wrong
	fixed.ID, fixed.Status = "fixed", broadcast.StatusIdentified
	r := correctedOnX(t, b, wrong.ID, fixed)
	assert.False(t, r.NotSelected, "x posted the original: %+v", r)
	require.Equal(t, 2, x.count())
	assert.Equal(t, "wrong", x.message(1).Update.Corrects)
}

// correctedOnX checks that a dry run (CorrectionRejects) says fixed, a
// correction of original, goes to channel x, the second of b's, and
// returns x's Result of the Correct.
func correctedOnX(t *testing.T, b *broadcast.Broadcaster, original string, fixed broadcast.Update) broadcast.Result {
	t.Helper()
	why, err := b.CorrectionRejects(context.Background(), original, fixed, "x")
	require.NoError(t, err)
	assert.Empty(t, why, "a dry run says the correction goes to x")
	rep, err := b.Correct(context.Background(), original, fixed)
	require.NoError(t, err)
	return rep.Results[1]
}
