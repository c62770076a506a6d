package irc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A delaymsg (+d) delay longer than the attempt's deadline allows is not
// waited out: Send returns at once with a rate limit that asks for it, and
// one of years asks for httpx.MaxRetryAfter, as other servers' hints are
// capped. It asked for the years the server stated.
func TestDelayMsgLongerThanDeadlineAsksForCappedWait(t *testing.T) {
	const years = 2 * 365 * 24 * time.Hour
	for _, tc := range []struct {
		delay, want time.Duration
	}{
		{2 * time.Hour, 2 * time.Hour},
		{years, httpx.MaxRetryAfter},
		// InspIRCd 3 and 4 write the delay as an int: ten digits, up
		// to 2147483647; one of ten was taken for a permanent 404.
		{2000000000 * time.Second, httpx.MaxRetryAfter},
	} {
		t.Run(tc.delay.String(), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": tc.delay}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Persistent = true
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			m := message(sampleUpdate())

			_, err := newChannel(t, cfg).Send(ctx, m)
			require.Error(t, err)
			require.NoError(t, ctx.Err(), "Send returned before the attempt's deadline, not at it")
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, onePending(t, err, "#ops").Err.Error(), "after joining to send to channel (+d)")
			d, hinted := broadcast.RetryDelay(err)
			require.True(t, hinted, "a rate limit: %q", err)
			assert.Equal(t, tc.want, d)
			done, _ := m.Ledger.Done("#status")
			assert.True(t, done, "the other channel posted")
		})
	}
}
