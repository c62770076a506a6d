package webhook

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An older update retried after a newer one of the incident reached some
// endpoints: the Receipt counts those as superseded, as the Result lists
// them, not as skipped (done earlier), which only the endpoint the older
// update reached itself is.
func TestReceiptCountsSupersededEndpointsApart(t *testing.T) {
	rc := newReceiver(t)
	paths := []string{"/a", "/b", "/c", "/d"}
	var eps []Endpoint
	for _, p := range paths {
		eps = append(eps, rc.endpoint(p))
	}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: broadcast.NewMemoryStore(),
		Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	older, newer := sent, sent
	older.ID, newer.ID = "u_older", "u_newer"
	newer.Time = older.Time.Add(time.Minute)
	ctx := context.Background()
	rc.on("/d", status(http.StatusGone))

	// The older update reaches /a alone, the newer one /b alone.
	rc.on("/a", accept)
	rc.on("/b", status(http.StatusServiceUnavailable))
	rc.on("/c", status(http.StatusServiceUnavailable))
	_, err = b.Send(ctx, older)
	require.Error(t, err)
	rc.on("/a", status(http.StatusServiceUnavailable))
	rc.on("/b", accept)
	_, err = b.Send(ctx, newer)
	require.Error(t, err)

	rc.on("/a", accept)
	rc.on("/c", accept)
	before := rc.requests("/b")
	rep, err := b.Send(ctx, older)
	require.Error(t, err, "/d refused it")
	res := rep.Results[0]
	assert.False(t, res.Skipped)
	assert.False(t, res.Superseded)
	assert.Equal(t, []string{target(eps[2])}, res.Delivered)
	assert.Equal(t, []string{target(eps[1])}, res.SupersededTargets)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, target(eps[3]), res.Failures[0].Target)
	assert.Equal(t, map[string]string{"endpoints": "4", "delivered": "1", "skipped": "1", "failed": "1",
		"superseded": "1", "incident_id": "cdn-errors"}, res.Receipt.Meta)
	assert.Equal(t, before, rc.requests("/b"), "the older update was not posted to /b after the newer one")
}
