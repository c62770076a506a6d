package httpx

import (
	"context"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Wait calls wait, a wait of a channel's between its requests (a rate
// limit's, a token source's call), with ctx ended by c's Close too, so
// that Close ends it at once, as it ends a request. A wait that Close
// ended fails with the channel's closed error (ClientOptions.Closed),
// broadcast.Permanent and not Uncertain: no request was made during it.
// Its own error is left out: the end of its context says nothing more,
// and a token source's error may quote a secret the channel does not
// know. After Close, wait is not called and Wait fails so at once. Of a
// Client that ChannelClient did not make, Wait is wait(ctx).
func (c Client) Wait(ctx context.Context, wait func(context.Context) error) error {
	if c.shut == nil {
		return wait(ctx)
	}
	if c.shut.ctx.Err() != nil {
		return broadcast.Permanent(c.shut.err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.shut.ctx, cancel)
	err := wait(wctx)
	// Stopped whatever the wait's end, the watch leaves the channel's
	// context, which outlives every wait, holding nothing of it.
	if closed := !stop(); err != nil && closed {
		return broadcast.Permanent(c.shut.err)
	}
	return err
}

// Sleeper returns sleep, a channel's sleep (ctxwait.Sleep, or a test's),
// made a Wait of c's: Close ends it, failing permanent with the channel's
// closed error (see Wait). A channel's rate limit waits with it:
//
//	ratelimit.Clock{Now: c.now, Sleep: c.client.Sleeper(c.sleep)}
func (c Client) Sleeper(sleep func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
	if c.shut == nil {
		return sleep
	}
	return func(ctx context.Context, d time.Duration) error {
		return c.Wait(ctx, func(ctx context.Context) error { return sleep(ctx, d) })
	}
}
