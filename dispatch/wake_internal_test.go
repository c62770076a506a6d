package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// woken reports whether c holds a wake-up, and takes it.
func woken(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// A notification wakes the waiters of its update, and only those; a
// listening connection made again wakes every waiter; wake-ups do not
// queue up.
func TestWaitersAreWokenByUpdate(t *testing.T) {
	var ws waiters
	a1, a2, b := &waiter{c: make(chan struct{}, 1)}, &waiter{c: make(chan struct{}, 1)}, &waiter{c: make(chan struct{}, 1)}
	ws.add("a", a1)
	ws.add("a", a2)
	ws.add("b", b)

	ws.wake("a")
	ws.wake("a")
	assert.True(t, woken(a1.c))
	assert.False(t, woken(a1.c), "wake-ups do not queue up")
	assert.True(t, woken(a2.c))
	assert.False(t, woken(b.c), "another update's waiter")

	ws.remove("a", a1)
	ws.wakeAll()
	assert.False(t, woken(a1.c), "removed")
	assert.True(t, woken(a2.c))
	assert.True(t, woken(b.c))

	ws.remove("a", a2)
	ws.remove("b", b)
	assert.Empty(t, ws.byID, "nothing left behind")
}

// The notification of a finished job names the update its job carries:
// a delivery's or correction's, or the update a retraction deletes.
func TestEventUpdate(t *testing.T) {
	event := func(md metadata) *river.Event {
		raw, err := json.Marshal(md)
		if err != nil {
			t.Fatal(err)
		}
		return &river.Event{Job: &rivertype.JobRow{Metadata: raw}}
	}
	assert.Equal(t, "u-1", eventUpdate(event(metadata{Update: "u-1", Channels: []string{"x"}})))
	assert.Equal(t, "u-2", eventUpdate(event(metadata{Update: "u-2", Original: "u-1"})))
	assert.Equal(t, "u-1", eventUpdate(event(metadata{Retract: "u-1"})))
	assert.Empty(t, eventUpdate(&river.Event{Job: &rivertype.JobRow{Metadata: []byte("not json")}}))
	assert.Empty(t, eventUpdate(&river.Event{}))
}

// A listener whose database is away tries again after a wait that
// doubles (less its jitter, at most half), not at once: it does not spin.
func TestListenWaitsBetweenTries(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tries []time.Time
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error {
		tries = append(tries, time.Now()) // listen is one goroutine
		if len(tries) == 4 {
			cancel()
		}
		return errors.New("the database is away")
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	defer pool.Close()
	d := &Dispatcher{cfg: Config{Pool: pool, Logger: slog.New(slog.DiscardHandler)}}
	d.listen(ctx) // returns once ctx ends
	require.Len(t, tries, 4)
	for i := 1; i < len(tries); i++ {
		least := (listenRetryFirst << (i - 1)) / 2
		assert.GreaterOrEqual(t, tries[i].Sub(tries[i-1]), least, "wait before try %d", i+1)
	}
}

// The subscription to River's events has room for more than the largest
// batch River's completer records at once (5,000 jobs): River drops the
// events that find it full, and their waiters then read at PollInterval
// only. River's default room is 1,000.
func TestSubscriptionHoldsACompleterBatch(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable")
	require.NoError(t, err)
	cfg.MaxConns = 14
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	defer pool.Close()
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	d, err := New(Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	events, unsubscribe := d.subscribe()
	defer unsubscribe()
	assert.Greater(t, cap(events), 5_000)
}
