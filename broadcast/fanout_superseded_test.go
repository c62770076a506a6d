package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Fanout.Superseded names the targets a newer update of the incident
// reached first, the Result's SupersededTargets; they are neither in Todo
// nor done earlier, so a channel counting its targets tells them apart.
func TestFanoutSuperseded(t *testing.T) {
	targets := []string{"ada", "bob", "cy"}
	var mu sync.Mutex
	up := map[string]bool{}
	type seen struct{ todo, superseded []int }
	var last seen
	ch := broadcast.ChannelFunc("fan", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, targets)
		mu.Lock()
		defer mu.Unlock()
		last = seen{f.Todo(), f.Superseded()}
		for _, i := range f.Todo() {
			if up[targets[i]] {
				f.Report(i, nil)
			} else {
				f.Report(i, errors.New("try later"))
			}
		}
		return broadcast.Receipt{}, f.Err()
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: broadcast.NewMemoryStore(),
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	older, newer := validUpdate(), validUpdate()
	older.ID, newer.ID = "u1", "u2"
	older.Time = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	newer.Time = older.Time.Add(time.Minute)
	ctx := context.Background()
	set := func(on ...string) {
		mu.Lock()
		defer mu.Unlock()
		clear(up)
		for _, t := range on {
			up[t] = true
		}
	}

	set("ada")
	_, err = b.Send(ctx, older)
	require.Error(t, err)
	set("bob")
	_, err = b.Send(ctx, newer)
	require.Error(t, err)
	set("ada", "bob", "cy")
	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	assert.Equal(t, seen{todo: []int{2}, superseded: []int{1}}, last)
	assert.Equal(t, []string{"bob"}, rep.Results[0].SupersededTargets)
	assert.Equal(t, []string{"cy"}, rep.Results[0].Delivered)
}
