package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// Alertmanager gives up on a notification (its timeout) while one
// channel is still trying: another channel delivered the update all the
// same, and the incident's record must say so, or the group's next
// notification that says nothing new is taken for news and posted again
// there. The Store (a file, with -state) refuses a read under the
// request's ended context.
func TestUpdateDeliveredBeforeTheRequestEndedIsRecorded(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	fast := &recorder{name: "fast"}
	started, fastDelivered := make(chan struct{}), make(chan struct{})
	var calls, delivered atomic.Int32
	slow := broadcast.ChannelFunc("slow", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if calls.Add(1) == 2 { // the second notification: hangs until Alertmanager gives up
			<-fastDelivered
			close(started)
			<-ctx.Done()
			return broadcast.Receipt{}, ctx.Err()
		}
		return broadcast.Receipt{ID: m.Update.ID}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{fast, slow},
		broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store, OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventDelivered && e.Channel == "fast" && delivered.Add(1) == 2 {
				close(fastDelivered) // delivered and recorded
			}
		}})
	require.NoError(t, err)
	h := &handler{b: b, store: store, log: slog.New(slog.DiscardHandler), say: func(_, s string) string { return s }}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })

	code, _ := post(t, srv, notification(t, 0, dbDown, slowAPI))
	require.Equal(t, http.StatusOK, code)

	// The database is back: fast delivers, slow hangs, Alertmanager gives up.
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/alerts",
		bytes.NewReader(notification(t, 0, dbBack, slowAPI)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json") // as Alertmanager sends it
	go func() { <-started; cancel() }()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Len(t, fast.sent(), 2)

	// Its repeat once the resolved alert was dropped (it waits for the
	// group's turn, so for the cut-short notification to end).
	code, resp2 := post(t, srv, notification(t, 0, slowAPI))
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, fast.sent(), 2, "fast has that update already")
	assert.Equal(t, "skipped", resp2.Results[0].Outcome)
	assert.Equal(t, "delivered", resp2.Results[1].Outcome, "slow gets it now")
}
