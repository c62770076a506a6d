package dispatch

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A nil *pgxpool.Tx given as the pgx.Tx of Enqueue, Correct or Retract
// (a non-nil interface) panicked in the driver; it is refused, the error
// naming tx, and nothing is queued.
func TestANilTxOfAConcreteTypeIsRefused(t *testing.T) {
	d, _ := guardedDispatcher(t, Config{ReconnectWait: -1})
	ctx := context.Background()
	tx := (*pgxpool.Tx)(nil)
	u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}
	for name, call := range map[string]func() error{
		"enqueue": func() error { _, err := d.Enqueue(ctx, tx, u); return err },
		"correct": func() error { _, err := d.Correct(ctx, tx, "u-1", u); return err },
		"retract": func() error { return d.Retract(ctx, tx, "u-1") },
	} {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		assert.EqualError(t, err, "dispatch: "+name+": tx: a nil *pgxpool.Tx (pass a nil pgx.Tx for a transaction of its own)", name)
	}
}
