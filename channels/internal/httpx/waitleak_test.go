package httpx

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markedCtx is a context the test can tell is still held by something.
type markedCtx struct {
	context.Context
	_ [64]byte
}

// A wait that ended of itself leaves nothing of it held by the Client:
// a channel waits for every token and rate limit through it for as long
// as it lives, and each wait's watch on Close stayed until Close, holding
// its context (and what that holds) the while.
func TestWaitDoneLeavesNothingHeld(t *testing.T) {
	c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
	defer c.Close()
	ctx := &markedCtx{Context: context.Background()}
	require.NoError(t, c.Wait(ctx, func(context.Context) error { return nil }))
	require.NoError(t, c.Sleeper(func(context.Context, time.Duration) error { return nil })(ctx, 0))
	held := weak.Make(ctx)
	ctx = nil
	runtime.GC()
	assert.Nil(t, held.Value(), "the context of a wait that ended is still held")
}
