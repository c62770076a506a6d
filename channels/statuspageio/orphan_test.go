package statuspageio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// unresolvedIncidents returns the ids of the incidents on the fake page
// that are neither resolved nor deleted.
func (f *fakeAPI) unresolvedIncidents() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, inc := range f.incidents {
		if !inc.deleted && inc.status != "resolved" && inc.status != "completed" {
			ids = append(ids, inc.id)
		}
	}
	return ids
}

// waitingBroadcaster is a Broadcaster on ch whose retries wait an hour:
// an update that failed waits for a newer one to supersede it. retried
// gets the ID of each update whose attempt failed.
func waitingBroadcaster(t *testing.T, ch *Channel) (*broadcast.Broadcaster, <-chan string) {
	t.Helper()
	retried := make(chan string, 8)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Hour, MaxInterval: time.Hour,
			MaxElapsed: 3 * time.Hour},
		AttemptTimeout: time.Minute,
		OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventRetry {
				retried <- e.UpdateID
			}
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b, retried
}

// An incident's first update whose creation reached Statuspage but whose
// answer was lost, followed, while it waits to retry, by a newer update
// of the same incident: the newer one has no receipt to thread to, and
// the first one's retry stops as superseded. The newer update goes to the
// incident the first one made, as an incident update, rather than
// creating a second incident next to it that would stay "investigating"
// on the page forever; the resolving update resolves the only incident.
func TestLostCreateThenNewerUpdateMakesNoOrphan(t *testing.T) {
	for _, metadata := range []bool{true, false} {
		t.Run(map[bool]string{true: "by metadata", false: "by name"}[metadata], func(t *testing.T) {
			f := newFake(t)
			f.dropMetadata = !metadata
			ch := newChannel(t, f, nil)
			b, retried := waitingBroadcaster(t, ch)
			ctx := context.Background()

			u1 := fullUpdate
			u1.Components = nil // one request: the incident's creation
			f.answer(lost)
			type outcome struct {
				rep *broadcast.Report
				err error
			}
			first := make(chan outcome, 1)
			go func() {
				rep, err := b.Send(ctx, u1)
				first <- outcome{rep, err}
			}()
			require.Equal(t, u1.ID, <-retried, "the incident made, its answer lost")
			require.Equal(t, 1, f.incidentCount())

			u2 := later(broadcast.StatusIdentified, "The cause is in the EU region.")
			rep, err := b.Send(ctx, u2)
			require.NoError(t, err)
			r2 := rep.Results[0].Receipt
			o := <-first
			require.NoError(t, o.err)
			assert.True(t, o.rep.Results[0].Superseded, "the first update's retry stops")

			assert.Equal(t, 1, f.incidentCount(), "incidents on the page")
			d := f.Received()
			require.Len(t, d, 2, "both updates, in one incident")
			assert.Equal(t, d[0].ID, r2.Meta[MetaIncidentID])
			assert.Equal(t, d[0].ID, d[1].ReplyTo)
			assert.Equal(t, d[1].ID, r2.ID)
			assert.Equal(t, d[1].ID, r2.Meta[MetaUpdateID])

			_, err = b.Send(ctx, later(broadcast.StatusResolved, "Fixed."))
			require.NoError(t, err)
			assert.Equal(t, 1, f.incidentCount())
			assert.Empty(t, f.unresolvedIncidents(), "every incident resolved")
			assert.Len(t, f.Received(), 3)
		})
	}
}

// A create the API refused (a 4xx with its error body, a rate limit
// included) made nothing: a newer update of the incident creates it
// without looking first, in one request, as does the first update of
// another incident after a create whose answer was lost.
func TestRefusedCreateDoesNotLook(t *testing.T) {
	for _, refusal := range []canned{
		{status: 422, body: `{"error":["Name can't be blank"]}`},
		{status: 429, header: map[string]string{"Retry-After": "3"}, body: `{"error":"Rate limit exceeded"}`},
	} {
		f := newFake(t)
		ch := newChannel(t, f, nil)
		u1 := fullUpdate
		u1.Components = nil
		f.answer(refusal)
		_, err := attempt(ch, broadcast.NewMessage(u1), 1, broadcast.Thread{})
		require.Error(t, err)

		n := len(f.sent())
		u2 := later(broadcast.StatusIdentified, "The cause is in the EU region.")
		u2.Components = nil
		send(t, ch, u2, broadcast.Thread{})
		reqs := f.sent()[n:]
		require.Lenf(t, reqs, 1, "after %d", refusal.status)
		assert.Equal(t, "POST", reqs[0].method)
	}

	f := newFake(t)
	ch := newChannel(t, f, nil)
	u1 := fullUpdate
	u1.Components = nil
	f.answer(lost)
	_, err := attempt(ch, broadcast.NewMessage(u1), 1, broadcast.Thread{})
	require.Error(t, err)
	n := len(f.sent())
	other := u1
	other.ID, other.IncidentID, other.Title = "u_dns", "dns", "DNS resolution fails"
	send(t, ch, other, broadcast.Thread{})
	reqs := f.sent()[n:]
	require.Len(t, reqs, 1, "another incident's first update")
	assert.Equal(t, "POST", reqs[0].method)
}

// A newer update that goes to the incident a lost create made, and whose
// own answer is lost too, finds its incident update on its retry: nothing
// is posted twice, and no incident is made.
func TestNewerUpdateRetryAfterTakingOverFindsItsUpdate(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	u1 := fullUpdate
	u1.Components = nil
	f.answer(lost)
	_, err := attempt(ch, broadcast.NewMessage(u1), 1, broadcast.Thread{})
	require.Error(t, err)

	u2 := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	u2.Components = nil
	m := broadcast.NewMessage(u2)
	f.answer(canned{pass: true}, lost) // the list read, the update's answer lost
	_, err = attempt(ch, m, 1, broadcast.Thread{})
	require.Error(t, err)
	require.Len(t, f.Received(), 2)

	r, err := attempt(ch, m, 2, broadcast.Thread{})
	require.NoError(t, err)
	assert.Equal(t, 1, f.incidentCount())
	d := f.Received()
	require.Len(t, d, 2, "nothing posted twice")
	assert.Equal(t, d[1].ID, r.ID)
	assert.Equal(t, d[0].ID, r.Meta[MetaIncidentID])
}

// What the channel remembers of creates with an unknown outcome lasts
// dedupWindow and is bounded: after that, a newer update creates its
// incident at once, as a first post does (see the package documentation).
func TestUnknownCreatesExpireAndAreBounded(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	now := time.Now()
	ch.s.now = func() time.Time { return now }
	u1 := fullUpdate
	u1.Components = nil
	f.answer(lost)
	_, err := attempt(ch, broadcast.NewMessage(u1), 1, broadcast.Thread{})
	require.Error(t, err)
	_, ok := ch.s.unknown.get(u1.IncidentID, now)
	require.True(t, ok)

	now = now.Add(dedupWindow + time.Second)
	n := len(f.sent())
	u2 := later(broadcast.StatusIdentified, "The cause is in the EU region.")
	u2.Components = nil
	send(t, ch, u2, broadcast.Thread{})
	require.Len(t, f.sent()[n:], 1)

	u := newUnknownCreates()
	for i := range maxUnknown + 10 {
		u.add(fmt.Sprint("inc-", i), createAttempt{name: "x"}, now.Add(time.Duration(i)), now)
	}
	assert.Len(t, u.m, maxUnknown)
	_, ok = u.get("inc-0", now)
	assert.False(t, ok, "the oldest dropped")
	_, ok = u.get(fmt.Sprint("inc-", maxUnknown+9), now)
	assert.True(t, ok)
}

// A failure whose request may have been carried out leaves the outcome
// unknown; the API's refusal, and a request never sent, do not.
func TestOutcomeUnknown(t *testing.T) {
	for _, tt := range []struct {
		err     error
		unknown bool
	}{
		{&url.Error{Op: "Post", URL: "https://api.statuspage.io", Err: io.ErrUnexpectedEOF}, true},
		{context.DeadlineExceeded, true},
		{errors.New("answer longer than 8 MiB"), true},
		{&apiError{status: 502, message: "Bad Gateway"}, true},
		{&apiError{status: 201, foreign: true}, true},
		{broadcast.Permanent(&apiError{status: 404, foreign: true}), true},
		{&apiError{status: 422, message: "Name can't be blank"}, false},
		{&apiError{status: 429}, false},
		{&apiError{status: statusRateLimited}, false},
		{&notSentError{context.Canceled}, false},
		{broadcast.Permanent(&notSentError{errors.New("encode")}), false},
	} {
		assert.Equalf(t, tt.unknown, outcomeUnknown(tt.err), "%v", tt.err)
	}
}
