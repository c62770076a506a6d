package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// guard bounds how long a test waits for something that must happen
// without waiting on anything else; reaching it is a failure (the test
// would otherwise hang), not a measurement.
const guard = 30 * time.Second

// gate is a channel whose deliveries of one incident block until
// released, as a platform that answers only at the end of -timeout does.
type gate struct {
	incident string
	started  chan struct{} // closed when a blocked delivery began
	release  chan struct{}
}

func newGate(incident string) *gate {
	return &gate{incident: incident, started: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) channel() broadcast.Channel {
	return broadcast.ChannelFunc("status", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.IncidentID == g.incident {
			select {
			case <-g.started:
			default:
				close(g.started)
			}
			select {
			case <-g.release:
			case <-ctx.Done():
				return broadcast.Receipt{}, ctx.Err()
			}
		}
		return broadcast.Receipt{ID: m.Update.ID}, nil
	})
}

// withGroupKey returns the firing sample as a notification of group key.
func withGroupKey(t *testing.T, key string) []byte {
	t.Helper()
	old := `"groupKey": "{}/{severity=\"critical\"}:{alertname=\"EdgeHighErrorRate\"}"`
	body := strings.Replace(string(sample(t, "firing.json")), old, fmt.Sprintf("%q: %q", "groupKey", key), 1)
	require.NotEqual(t, string(sample(t, "firing.json")), body)
	return []byte(body)
}

// sameStripe returns a group key other than key whose incident shared a
// lock with key's among the 64 the bridge used to hash groups into.
func sameStripe(key string) string {
	stripe := func(k string) uint32 {
		h := fnv.New32a()
		h.Write([]byte(incidentID(k)))
		return h.Sum32() % 64
	}
	for i := 0; ; i++ {
		if other := fmt.Sprintf("{}:{alertname=\"Other%d\"}", i); stripe(other) == stripe(key) {
			return other
		}
	}
}

// A group whose broadcast runs long (a platform answering only at the end
// of -timeout) does not hold up the notifications of other groups: with
// Alertmanager's default webhook_config (timeout 0), a notification is
// given until the group's next flush, max(group_interval, 10s) (5m by
// default), before Alertmanager cancels it (dispatch/dispatch.go,
// aggrGroup.run: context.WithTimeout(ag.ctx, ag.timeout(ag.opts.GroupInterval));
// notify.MinTimeout = 10s), and a few groups queued behind one slow one
// used to exceed that.
func TestGroupsDoNotWaitForOtherGroups(t *testing.T) {
	const slowKey = `{}:{alertname="Slow"}`
	g := newGate(incidentID(slowKey))
	srv := bridge(t, mapping{}, g.channel())
	slowDone := make(chan int, 1)
	go func() {
		resp, err := http.Post(srv.URL+"/alerts", "application/json", bytes.NewReader(withGroupKey(t, slowKey)))
		if err != nil {
			slowDone <- 0
			return
		}
		resp.Body.Close()
		slowDone <- resp.StatusCode
	}()
	<-g.started

	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/alerts",
		bytes.NewReader(withGroupKey(t, sameStripe(slowKey))))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
	resp, err := http.DefaultClient.Do(req)
	close(g.release)
	require.NoError(t, err, "another group's notification waited for the slow group")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, http.StatusOK, <-slowDone)
}

// A notification waiting for its group's turn stops waiting when its
// request ends (Alertmanager gave up on it) or -timeout passes: it posts
// nothing, and answers 503, so that Alertmanager, if still listening,
// sends it again.
func TestGroupWaitEndsWithTheRequest(t *testing.T) {
	p := firingPayload(t)
	g := newGate(incidentID(p.GroupKey))
	var posted []string
	ch := g.channel()
	spy := broadcast.ChannelFunc("spy", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		posted = append(posted, string(m.Update.Status))
		return ch.Send(ctx, m)
	})
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{spy}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	defer b.Close()
	h := &handler{b: b, store: store, log: slog.New(slog.DiscardHandler), say: func(_, s string) string { return s }}
	firstDone := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.routes().ServeHTTP(rec, jsonRequest(bytes.NewReader(sample(t, "firing.json"))))
		firstDone <- rec.Code
	}()
	<-g.started

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Alertmanager gave up
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		req := jsonRequest(bytes.NewReader(sample(t, "resolved.json"))).WithContext(ctx)
		h.routes().ServeHTTP(rec, req)
		done <- rec
	}()
	var rec *httptest.ResponseRecorder
	select {
	case rec = <-done:
	case <-time.After(guard):
		t.Error("the wait for the group did not end with the request")
	}
	close(g.release)
	assert.Equal(t, http.StatusOK, <-firstDone)
	if rec == nil {
		rec = <-done
	}
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "another notification of the alert group")
	assert.Equal(t, []string{"investigating"}, posted, "nothing posted for the request that ended")
}
