package dispatch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A nil ctx is a caller's mistake: every call that takes one refuses it
// with an error that says so, where River and the driver panicked.
func TestNilContextIsAnErrorNotAPanic(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	pool := lazyPool(t, 14)
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	u := broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "Looking."}
	var nilCtx context.Context
	const hint = ": nil context (pass context.Background() or a context of your own)"
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"Enqueue", func() error { _, err := d.Enqueue(nilCtx, nil, u); return err }, "dispatch: enqueue"},
		{"Correct", func() error { _, err := d.Correct(nilCtx, nil, "u0", u); return err }, "dispatch: correct"},
		{"Retract", func() error { return d.Retract(nilCtx, nil, "u0") }, "dispatch: retract"},
		{"Report", func() error { _, _, err := d.Report(nilCtx, "u0"); return err }, "dispatch: report"},
		{"RetractReport", func() error { _, _, err := d.RetractReport(nilCtx, "u0"); return err }, "dispatch: report"},
		{"Wait", func() error { _, err := d.Wait(nilCtx, "u0"); return err }, "dispatch: wait for u0"},
		{"WaitRetract", func() error { _, err := d.WaitRetract(nilCtx, "u0"); return err }, "dispatch: wait for u0"},
		{"Watch", func() error { _, err := d.Watch(nilCtx, "u0", nil); return err }, "dispatch: wait for u0"},
		{"Start", func() error { return d.Start(nilCtx) }, "dispatch: start"},
		{"Stop", func() error { return d.Stop(nilCtx) }, "dispatch: stop"},
		{"Migrate", func() error { return dispatch.Migrate(nilCtx, pool) }, "dispatch: Migrate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			assert.EqualError(t, err, tt.want+hint)
		})
	}
}
