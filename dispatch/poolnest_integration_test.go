//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Enqueue, Correct and Retract in a transaction of their own read the
// Store (whether the update was sent before, whether the original exists)
// outside that transaction: the Store shares the Pool, and a read inside
// waited for a second connection while the transaction held one. Enqueues
// as many as the Pool's connections at once (a burst of updates) each
// held one and waited for another, until their ctx ended: here, with one
// connection left, the first Enqueue did.
func TestEnqueueWithOneConnectionLeft(t *testing.T) {
	ctx := waitCtx(t)
	in := newInstance(t, newSchema(t), []broadcast.Channel{(&feed{}).channel()}, broadcast.Options{}, dispatch.Config{Workers: 1})
	sent := update(1)
	_, err := in.d.Enqueue(ctx, nil, sent)
	require.NoError(t, err)

	var held []*pgxpool.Conn
	for range in.pool.Config().MaxConns - 1 {
		c, err := in.pool.Acquire(ctx)
		require.NoError(t, err)
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	// A bound, not a timing assertion: without it a hang lasts the test.
	short, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err = in.d.Enqueue(short, nil, update(2)) // untimed, never sent: the Store is asked
	assert.NoError(t, err, "enqueue")
	correction := update(3)
	correction.IncidentID = ""
	correction.Title = sent.Title
	_, err = in.d.Correct(short, nil, "never-enqueued", correction) // the Store is asked whether it exists
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "correct")
	assert.ErrorIs(t, in.d.Retract(short, nil, "never-enqueued"), broadcast.ErrInvalidUpdate, "retract")
}
