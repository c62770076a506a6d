package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// stored completes r as the Broadcaster stores the receipt of u.
func stored(r broadcast.Receipt, u broadcast.Update) broadcast.Receipt {
	r.UpdateID, r.UpdateTime = u.ID, u.Time
	return r
}

// payloadOf decodes a delivery's body.
func payloadOf(t *testing.T, d delivery) Payload {
	var p Payload
	require.NoError(t, json.Unmarshal(d.body, &p))
	return p
}

func TestRetractSendsRetractedEvent(t *testing.T) {
	rc := newReceiver(t)
	eps := []Endpoint{rc.endpoint("/a"), rc.endpoint("/b")}
	ch := newTestChannel(t, Config{Name: "hooks", Endpoints: eps}, nil)
	m := msg(fullUpdate, nil)
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	prev := stored(r, m.Update)

	for range 2 { // retracting again sends the same event again
		require.NoError(t, ch.Retract(context.Background(), prev))
	}
	got := rc.deliveries()
	require.Len(t, got, 6, "two updates and four retractions, each verified by the receiver")
	ids := map[string][]string{}
	for _, d := range got[2:] {
		p := payloadOf(t, d)
		assert.Equal(t, EventRetracted, p.Type)
		assert.Equal(t, Data{ID: "u_full", IncidentID: "cdn-errors"}, p.Data)
		ids[d.path] = append(ids[d.path], d.id)
	}
	for _, ep := range eps {
		path := ep.URL.Reveal()[len(rc.srv.URL):]
		want := retractionKey("hooks", "u_full", target(ep))
		assert.Equal(t, []string{want, want}, ids[path], "the retraction's webhook-id at %s, stable", path)
		assert.NotEqual(t, m.Key(target(ep)), want, "not the update's webhook-id")
	}
}

func TestRetractErrors(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/busy", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "9")
		w.WriteHeader(http.StatusServiceUnavailable)
		return false
	})
	prev := broadcast.Receipt{Channel: "hooks", UpdateID: "u_full", Meta: map[string]string{"incident_id": "cdn-errors"}}
	retract := func(paths ...string) error {
		var eps []Endpoint
		for _, p := range paths {
			eps = append(eps, rc.endpoint(p))
		}
		return newTestChannel(t, Config{Name: "hooks", Endpoints: eps}, nil).Retract(context.Background(), prev)
	}

	err := retract("/ok", "/gone")
	require.Error(t, err, "the gone endpoint may still show the update")
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, 1)
	assert.Equal(t, target(rc.endpoint("/gone")), te.Failures[0].Target)
	assert.Equal(t, http.StatusGone, StatusCode(te.Failures[0].Err))
	assert.Contains(t, err.Error(), "webhook: retract: post not deleted on 1 of 2 targets (0 pending, 1 failed permanently)")

	err = retract("/ok", "/gone", "/busy")
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a retry may reach the busy endpoint")
	d, ok := broadcast.RetryDelay(err)
	assert.True(t, ok)
	assert.Equal(t, 9*time.Second, d)

	err = retract("/gone")
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))

	before := len(rc.deliveries())
	err = newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/ok")}}, nil).
		Retract(context.Background(), broadcast.Receipt{Channel: "hooks"})
	require.EqualError(t, err, "webhook: retract: the receipt has no UpdateID")
	assert.True(t, broadcast.IsPermanent(err))
	assert.Len(t, rc.deliveries(), before, "nothing sent")
}

// Through a Broadcaster: Correct sends an incident.corrected event naming
// the original, Retract an incident.retracted event, once.
func TestCorrectAndRetractThroughBroadcaster(t *testing.T) {
	rc := newReceiver(t)
	ch := newTestChannel(t, Config{Name: "hooks", Endpoints: []Endpoint{rc.endpoint("/a"), rc.endpoint("/b")}}, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()

	_, err = b.Send(ctx, sent)
	require.NoError(t, err)
	fix := sent
	fix.ID, fix.Body, fix.Time = "u_fix", "The cause was a certificate rotation.", fullUpdate.Time.Add(time.Minute)
	_, err = b.Correct(ctx, fullUpdate.ID, fix)
	require.NoError(t, err)
	rep, err := b.Retract(ctx, fullUpdate.ID)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	rep, err = b.Retract(ctx, fullUpdate.ID)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "retracted already")

	var types []string
	for _, d := range rc.deliveries() {
		p := payloadOf(t, d)
		types = append(types, p.Type)
		switch p.Type {
		case EventCorrected:
			assert.Equal(t, fullUpdate.ID, p.Data.Corrects)
			assert.Equal(t, fix.Body, p.Data.Body)
		case EventRetracted:
			assert.Equal(t, Data{ID: fullUpdate.ID, IncidentID: fullUpdate.IncidentID}, p.Data)
		}
	}
	assert.Equal(t, []string{EventUpdated, EventUpdated, EventCorrected, EventCorrected, EventRetracted, EventRetracted}, types)
}

// A 404 to a retraction is not "the receiver has no such update": the
// retraction is POSTed to the endpoint's URL, not to a resource of the
// update, and a 404 says that URL has no receiver (RFC 9110 section
// 15.5.5: no current representation "for the target resource"). Standard
// Webhooks counts it a failed delivery ("non-2xx response status codes
// (e.g: 404 and 500)"), and a receiver that never got the update answers
// its retraction 2xx and ignores it (see examples/webhook-receiver). So the
// retraction failed there, and the update may still be shown: an error.
func TestRetractNotFoundIsAFailure(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/moved", status(http.StatusNotFound))
	eps := []Endpoint{rc.endpoint("/ok"), rc.endpoint("/moved")}
	prev := broadcast.Receipt{Channel: "hooks", UpdateID: "u_full"}
	err := newTestChannel(t, Config{Name: "hooks", Endpoints: eps}, nil).Retract(context.Background(), prev)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, 1)
	assert.Equal(t, target(eps[1]), te.Failures[0].Target)
	assert.Equal(t, http.StatusNotFound, StatusCode(te.Failures[0].Err))
}
