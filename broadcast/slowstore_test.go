package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// stuckStore is a Store whose every call waits until its ctx ends, or the
// test does: a database that does not answer while a durable Store tries
// to reconnect (pgstore tries for minutes, within the caller's ctx).
type stuckStore struct{ done <-chan struct{} }

func (s stuckStore) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return context.Canceled
	}
}

func (s stuckStore) Thread(ctx context.Context, _, _ string) (broadcast.Thread, error) {
	return broadcast.Thread{}, s.wait(ctx)
}

func (s stuckStore) SaveReceipt(ctx context.Context, _, _ string, _ broadcast.Receipt) error {
	return s.wait(ctx)
}

func (s stuckStore) Receipt(ctx context.Context, _, _ string) (broadcast.Receipt, bool, error) {
	return broadcast.Receipt{}, false, s.wait(ctx)
}

func (s stuckStore) Done(ctx context.Context, _, _, _ string) (bool, string, error) {
	return false, "", s.wait(ctx)
}

func (s stuckStore) Mark(ctx context.Context, _, _, _ string, _ error) error { return s.wait(ctx) }

// A Send whose ctx ends while the Store does not answer returns, its
// channels failed and not called: the reads before any delivery (the
// record of the Time the update was first sent with among them) follow
// the caller's ctx. The record's were made without it, and a Send with a
// 1-second deadline waited as long as the Store took to give up.
func TestSendEndsWithItsContextWhileTheStoreHangs(t *testing.T) {
	stop := make(chan struct{})
	called := false
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		called = true
		return broadcast.Receipt{ID: "1"}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: stuckStore{done: stop}})
	require.NoError(t, err)
	defer b.Close()
	defer close(stop) // before Close, which waits for the Send
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	type result struct {
		rep *broadcast.Report
		err error
	}
	res := make(chan result, 1)
	go func() {
		rep, err := b.Send(ctx, validUpdate())
		res <- result{rep, err}
	}()
	select {
	case r := <-res:
		require.Error(t, r.err)
		require.NotNil(t, r.rep)
		assert.False(t, called, "no channel is called blind")
	case <-time.After(20 * time.Second):
		t.Fatal("Send did not return 20 s after its ctx ended: it waits for the Store without the caller's ctx")
	}
}

// targetStuckStore answers for the channel as a whole, as a MemoryStore,
// and waits, for a target's mark, until its ctx ends or the test does.
type targetStuckStore struct {
	*broadcast.MemoryStore
	done <-chan struct{}
}

func (s targetStuckStore) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	if target == "" {
		return s.MemoryStore.Done(ctx, updateID, channel, target)
	}
	return false, "", stuckStore{s.done}.wait(ctx)
}

// The Ledger reads a target's mark within the attempt: a Store that does
// not answer keeps the channel's fan-out waiting no longer than the
// attempt, and the Send returns when its ctx ends. It read with the
// context the marks are written with, which never ends.
func TestLedgerReadsEndWithTheAttempt(t *testing.T) {
	stop := make(chan struct{})
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			f.Report(i, nil)
		}
		return broadcast.Receipt{ID: "1"}, f.Err()
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Store: targetStuckStore{broadcast.NewMemoryStore(), stop}})
	require.NoError(t, err)
	defer b.Close()
	defer close(stop) // before Close, which waits for the Send
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := b.Send(ctx, validUpdate())
		res <- err
	}()
	select {
	case err := <-res:
		require.Error(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Send did not return 20 s after its ctx ended: the Ledger reads without the attempt's ctx")
	}
}
