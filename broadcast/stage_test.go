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

// order records the order in which channels were called.
type order struct {
	mu    sync.Mutex
	calls []string
}

func (o *order) channel(name string, send func(context.Context) error) broadcast.Channel {
	return broadcast.ChannelFunc(name, func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		o.mu.Lock()
		o.calls = append(o.calls, name)
		o.mu.Unlock()
		if send != nil {
			return broadcast.Receipt{}, send(ctx)
		}
		return broadcast.Receipt{}, nil
	})
}

func TestStagesDeliverThePageFirst(t *testing.T) {
	o := &order{}
	page := make(chan struct{})
	b := newBroadcaster(t, broadcast.Options{Stages: [][]string{{"statuspage"}}},
		o.channel("x", nil), o.channel("email", nil),
		o.channel("statuspage", func(context.Context) error { close(page); return nil }))
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Equal(t, "statuspage", o.calls[0], "the page goes first")
	assert.Len(t, o.calls, 3)
	require.Len(t, rep.Stages, 1)
	assert.Equal(t, []string{"statuspage"}, rep.Stages[0].Channels)
	assert.True(t, rep.Stages[0].Complete, "%+v %+v", rep.Stages, rep.Results)
	assert.Equal(t, "statuspage", rep.Results[2].Channel, "Results keep the channels' order")
}

func TestStageWaitIsBounded(t *testing.T) {
	o := &order{}
	release := make(chan struct{})
	b := newBroadcaster(t, broadcast.Options{Stages: [][]string{{"statuspage"}}, StageWait: 20 * time.Millisecond},
		o.channel("statuspage", func(ctx context.Context) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}),
		o.channel("x", func(context.Context) error { close(release); return nil }))
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"statuspage", "x"}, o.calls, "x went out while the page still hung (it released the page)")
	require.Len(t, rep.Stages, 1)
	assert.False(t, rep.Stages[0].Complete, "the Report says the page was not ready")
}

func TestFailedStageDoesNotStopTheRest(t *testing.T) {
	o := &order{}
	b := newBroadcaster(t, broadcast.Options{Stages: [][]string{{"statuspage"}},
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}},
		o.channel("statuspage", func(context.Context) error { return broadcast.Permanent(errors.New("read-only file system")) }),
		o.channel("x", nil))
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.NoError(t, rep.Results[1].Err)
	assert.False(t, rep.Stages[0].Complete)
}

func TestStageOptionsAreChecked(t *testing.T) {
	chs := []broadcast.Channel{&script{name: "a"}, &script{name: "b"}}
	_, err := broadcast.New(chs, broadcast.Options{Stages: [][]string{{"c"}}})
	assert.ErrorContains(t, err, `Options.Stages[0]: no channel "c"`)
	_, err = broadcast.New(chs, broadcast.Options{Stages: [][]string{{"a"}, {"a"}}})
	assert.ErrorContains(t, err, `Options.Stages[1]: channel "a" is in an earlier stage`)
	_, err = broadcast.New(chs, broadcast.Options{Stages: [][]string{{"a", "b", "a"}}})
	assert.ErrorContains(t, err, `Options.Stages[0]: channel "a" is named twice`)
	_, err = broadcast.New(chs, broadcast.Options{StageWait: -1})
	assert.ErrorContains(t, err, "Options.StageWait: negative")
}

// The first attempts of a Send share one attempt timeout; an attempt that
// starts later, here in the second stage, still gets the whole of
// AttemptTimeout from its own start.
func TestLaterStageGetsTheWholeAttemptTimeout(t *testing.T) {
	const timeout = 2 * time.Second
	left := map[string]time.Duration{}
	var mu sync.Mutex
	deadline := func(name string, wait time.Duration) broadcast.Channel {
		return broadcast.ChannelFunc(name, func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
			d, ok := ctx.Deadline()
			require.True(t, ok, "every attempt has a deadline")
			mu.Lock()
			left[name] = time.Until(d)
			mu.Unlock()
			time.Sleep(wait)
			return broadcast.Receipt{}, nil
		})
	}
	b := newBroadcaster(t, broadcast.Options{Stages: [][]string{{"statuspage"}}, AttemptTimeout: timeout},
		deadline("statuspage", timeout/2), deadline("x", 0))
	_, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Greater(t, left["statuspage"], timeout*3/4)
	assert.Greater(t, left["x"], timeout*3/4,
		"x started a second after the Send, and still has the whole timeout, not what was left of the page's")
}
