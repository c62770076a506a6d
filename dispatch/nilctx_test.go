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

// An ID no update can have is refused before anything else is checked,
// whatever the ctx (nil, or ended already), and the error names the
// argument without printing it: Wait, WaitRetract and Watch printed the ID
// in their error of a nil or ended ctx, so that its control characters (a
// terminal's escape sequence, a forged log line) reached the caller's log.
func TestAnInvalidIDIsRefusedBeforeTheContextAndNotPrinted(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	d, err := dispatch.New(dispatch.Config{Pool: lazyPool(t, 14), Broadcaster: b, Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	const bad = "u1\n\x1b[31mforged"
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	valid := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "Looking."}
	badUpdate := valid
	badUpdate.ID = bad
	for ctxName, ctx := range map[string]context.Context{"nil": nil, "ended": ended} {
		for _, tt := range []struct {
			name string
			call func() error
		}{
			{"Enqueue", func() error { _, err := d.Enqueue(ctx, nil, badUpdate); return err }},
			{"Correct", func() error { _, err := d.Correct(ctx, nil, bad, valid); return err }},
			{"Retract", func() error { return d.Retract(ctx, nil, bad) }},
			{"Report", func() error { _, _, err := d.Report(ctx, bad); return err }},
			{"RetractReport", func() error { _, _, err := d.RetractReport(ctx, bad); return err }},
			{"Wait", func() error { _, err := d.Wait(ctx, bad); return err }},
			{"WaitRetract", func() error { _, err := d.WaitRetract(ctx, bad); return err }},
			{"Watch", func() error { _, err := d.Watch(ctx, bad, nil); return err }},
		} {
			t.Run(ctxName+"/"+tt.name, func(t *testing.T) {
				err := tt.call()
				require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
				assert.NotContains(t, err.Error(), "forged")
				assert.NotContains(t, err.Error(), "\x1b")
			})
		}
	}
}
