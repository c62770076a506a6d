package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// fullStore is a Store that reads but can no longer write, as a -state
// file on a full disk.
type fullStore struct{ *broadcast.MemoryStore }

var errDiskFull = errors.New("write state: no space left on device")

func (fullStore) SaveReceipt(context.Context, string, string, broadcast.Receipt) error {
	return errDiskFull
}

func (fullStore) Mark(context.Context, string, string, string, error) error { return errDiskFull }

// serveOnFullStore serves a bridge sending to ch, one attempt each, with a
// fullStore, logging to logs.
func serveOnFullStore(t *testing.T, ch broadcast.Channel, logs io.Writer) *httptest.Server {
	t.Helper()
	store := fullStore{broadcast.NewMemoryStore()}
	log := slog.New(slog.NewTextHandler(logs, nil))
	say := func(_, s string) string { return s }
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1},
		Store: store, OnEvent: logEvents(log, say)})
	require.NoError(t, err)
	h := &handler{b: b, store: store, log: log, say: say}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv
}

// A channel that delivered the notification while the store could not
// record it has nothing left to do: answered 500, Alertmanager sent the
// notification again, and again at each of its retries, and each time the
// channel, finding no record of its post, posted it once more. The answer
// is 200, saying what was not recorded, and the log says it as an error.
func TestDeliveredButNotRecordedIsNotRetried(t *testing.T) {
	ch := &recorder{name: "status"}
	var logs syncbuf.Buffer
	srv := serveOnFullStore(t, ch, &logs)

	code, resp := post(t, srv, sample(t, "firing.json"))
	assert.Equal(t, http.StatusOK, code, "a 5xx makes Alertmanager send it again, and the channel post it again")
	require.Len(t, resp.Results, 1)
	assert.Equal(t, "delivered, not recorded", resp.Results[0].Outcome)
	assert.Contains(t, resp.Results[0].Error, "no space left on device")
	assert.Len(t, ch.sent(), 1)
	assert.Regexp(t, `level=ERROR msg="delivered, but not recorded.*no space left on device`, logs.String())
}
