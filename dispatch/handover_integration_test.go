//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// board is a platform shared by the instances that logs each post, edit
// and deletion in order; its first fails sends fail transiently.
type board struct {
	name  string
	mu    sync.Mutex
	fails int
	log   []string
	n     int
	tried chan struct{}
}

func (b *board) Name() string { return b.name }

func (b *board) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.tried <- struct{}{}:
	default:
	}
	if b.fails > 0 {
		b.fails--
		return broadcast.Receipt{}, errors.New("503 try later")
	}
	b.n++
	id := fmt.Sprintf("p%d", b.n)
	b.log = append(b.log, "post "+m.Update.ID+" "+id)
	return broadcast.Receipt{ID: id}, nil
}

func (b *board) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, "edit "+prev.ID+" "+m.Update.ID)
	return prev, nil
}

func (b *board) Retract(_ context.Context, prev broadcast.Receipt) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, "delete "+prev.ID)
	return nil
}

func (b *board) entries() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.log...)
}

// Two instances; the original's delivery on one channel fails at first;
// a correction and a retraction are enqueued while it waits to retry;
// the instance that ran it stops, the other takes over. The original is
// posted once, edited once, deleted once, in that order, on each channel.
func TestCorrectAndRetractWhileTheOriginalRetriesAcrossInstances(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	flaky := &board{name: "flaky", fails: 2, tried: make(chan struct{}, 1)}
	steady := &board{name: "steady"}
	chans := []broadcast.Channel{flaky, steady}
	cfg := dispatch.Config{Workers: 2, Retry: broadcast.RetryPolicy{InitialInterval: time.Second, MaxInterval: time.Second}}

	first, err := openInstance(ctx, dsn, chans, broadcast.Options{}, cfg)
	require.NoError(t, err)
	require.NoError(t, first.d.Start(ctx))
	u := update(1)
	_, err = first.d.Enqueue(ctx, nil, u)
	require.NoError(t, err)
	<-flaky.tried
	fix := u
	fix.ID, fix.Body = "u-1c", "Corrected."
	_, err = first.d.Correct(ctx, nil, u.ID, fix)
	require.NoError(t, err)
	require.NoError(t, first.d.Retract(ctx, nil, u.ID))
	require.NoError(t, first.close())

	second := newInstance(t, dsn, chans, broadcast.Options{}, cfg)
	second.start(t)
	_, err = second.d.Wait(ctx, u.ID)
	require.NoError(t, err)
	_, err = second.d.Wait(ctx, fix.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, done, err := second.d.RetractReport(ctx, u.ID)
		return err == nil && done
	}, time.Minute, 50*time.Millisecond)
	for _, b := range []*board{flaky, steady} {
		assert.Equal(t, []string{"post u-1 p1", "edit p1 u-1c", "delete p1"}, b.entries(), b.name)
	}
}
