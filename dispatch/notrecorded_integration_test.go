//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// lossyStore is a Store whose first write of a channel's delivered mark
// fails (the database went away right after the post), and, when receipt
// is set, the receipt's write before it too.
type lossyStore struct {
	*pgstore.Store
	receipt    bool
	markFailed atomic.Bool
}

func (s *lossyStore) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if s.receipt && !s.markFailed.Load() {
		return errors.New("connection reset by peer")
	}
	return s.Store.SaveReceipt(ctx, incidentID, updateID, r)
}

func (s *lossyStore) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if target == "" && failure == nil && s.markFailed.CompareAndSwap(false, true) {
		return errors.New("connection reset by peer")
	}
	return s.Store.Mark(ctx, updateID, channel, target, failure)
}

// A channel that delivered an update whose mark the Store could not write
// is reported delivered with that error (broadcast.ErrNotRecorded, as a
// Send reports it) and the post's receipt, not failed; and the update
// enqueued again, as a user told it failed would, is not posted twice.
// The job used to be cancelled as a permanent failure: Report said the
// channel failed, and the update enqueued again was queued anew and
// posted again when the receipt was lost too.
func TestDeliveredButNotRecordedIsNotAFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		receipt bool // the receipt's write fails too
	}{{"mark lost", false}, {"mark and receipt lost", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := waitCtx(t)
			dsn := newSchema(t)
			pcfg, err := pgxpool.ParseConfig(dsn)
			require.NoError(t, err)
			pcfg.MaxConns = 10
			pool, err := pgxpool.NewWithConfig(ctx, pcfg)
			require.NoError(t, err)
			defer pool.Close()
			pg, err := pgstore.New(ctx, pool)
			require.NoError(t, err)
			st := &lossyStore{Store: pg, receipt: tc.receipt}
			counted := newCounting("x")
			var attempts []int // Message.Attempt of each call
			x := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				counted.mu.Lock()
				attempts = append(attempts, m.Attempt)
				counted.mu.Unlock()
				return counted.Send(ctx, m)
			})
			var mu sync.Mutex
			var events []dispatch.Event
			b, err := broadcast.New([]broadcast.Channel{x}, broadcast.Options{Store: st, Lock: pg.Lock})
			require.NoError(t, err)
			d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: st, Workers: 1,
				OnEvent: func(e dispatch.Event) {
					mu.Lock()
					defer mu.Unlock()
					events = append(events, e)
				}})
			require.NoError(t, err)
			require.NoError(t, d.Start(ctx))
			defer func() { assert.NoError(t, d.Stop(context.Background())) }()

			id, err := d.Enqueue(ctx, nil, update(1))
			require.NoError(t, err)
			rep, err := d.Wait(ctx, id)
			require.ErrorIs(t, err, broadcast.ErrNotRecorded, "as Send says it")
			require.Len(t, rep.Results, 1)
			r := rep.Results[0]
			assert.ErrorIs(t, r.Err, broadcast.ErrNotRecorded)
			assert.Contains(t, r.Err.Error(), "connection reset by peer")
			assert.Equal(t, "x-u-1-1", r.Receipt.ID, "the Result names the post")
			assert.Equal(t, 1, counted.count(id))

			rep, done, err := d.Report(ctx, id)
			require.NoError(t, err)
			assert.True(t, done)
			assert.ErrorIs(t, rep.Results[0].Err, broadcast.ErrNotRecorded)
			assert.Equal(t, "x-u-1-1", rep.Results[0].Receipt.ID)

			mu.Lock()
			var kinds []broadcast.EventKind
			for _, e := range events {
				kinds = append(kinds, e.Kind)
				if e.Kind == broadcast.EventDelivered {
					assert.ErrorIs(t, e.Err, broadcast.ErrNotRecorded, "as the Broadcaster's event says it")
					assert.Equal(t, "x-u-1-1", e.Receipt.ID)
				}
			}
			mu.Unlock()
			assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventDelivered}, kinds)

			// Told the truth or not, a user may enqueue it again: it is not
			// posted again.
			_, err = d.Enqueue(ctx, nil, update(1))
			require.NoError(t, err)
			_, err = d.Wait(ctx, id)
			require.ErrorIs(t, err, broadcast.ErrNotRecorded)
			assert.Equal(t, 1, counted.count(id), "posted twice")

			// Once River has deleted the job, the update enqueued anew is
			// skipped where the receipt was saved, and attempted as a
			// retry, whose outcome was unknown, where it was not.
			_, err = pool.Exec(ctx, "DELETE FROM river_job")
			require.NoError(t, err)
			_, err = d.Enqueue(ctx, nil, update(1))
			require.NoError(t, err)
			rep, err = d.Wait(ctx, id)
			require.NoError(t, err)
			counted.mu.Lock()
			defer counted.mu.Unlock()
			if tc.receipt {
				assert.Equal(t, []int{1, 2}, attempts, "a channel without idempotency keys looks for its post first")
			} else {
				assert.True(t, rep.Results[0].Skipped)
				assert.Equal(t, []int{1}, attempts, "posted twice")
			}
		})
	}
}
