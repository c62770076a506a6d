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

// delayPrefix begins the 404 of InspIRCd's delaymsg (+d) since 3.6
// (src/modules/m_delaymsg.cpp).
const delayPrefix = "You cannot send messages to this channel until you have been a member for "

// InspIRCd words its delaymsg 404 as "You cannot send messages to this
// channel until you have been a member for 60 seconds." since 3.6, and
// since 4.7 writes the delay in words ("1 minute and 30 seconds"). On a
// kept connection it is a rate limit asking for the delay, and the retry
// on that connection posts, as for InspIRCd 2.0's "You must wait 60
// seconds after joining …". Only that older text was read: the current
// ones were taken for a 404 for good, also on a kept connection.
func TestDelayMsgOfCurrentInspIRCdWaitsAndPosts(t *testing.T) {
	for name, text := range map[string]string{
		"3.6 to 4.6":   delayPrefix + "%d seconds.",
		"4.7 or later": delayPrefix + "%d second.",
	} {
		t.Run(name, func(t *testing.T) { checkDelayMsgWaitsAndPosts(t, text, "404 "+delayPrefix) })
	}
}

// The delay as InspIRCd 4.7 and later write it (Duration::ToLongString in
// src/helperfuncs.cpp: years of 365 days, weeks, days, hours, minutes and
// seconds, joined by ", " and "and") is read whole, and capped at
// httpx.MaxRetryAfter as other servers' waits are.
func TestDelayMsgDelayInWords(t *testing.T) {
	for _, tc := range []struct {
		delay string
		want  time.Duration
	}{
		{"60 seconds", time.Minute},
		{"1 minute and 30 seconds", 90 * time.Second},
		{"1 hour, 2 minutes, and 3 seconds", time.Hour + 2*time.Minute + 3*time.Second},
		{"2 hours", 2 * time.Hour},
		{"1 day and 1 second", httpx.MaxRetryAfter},
		{"1 year, 1 week, 1 day, 1 hour, 1 minute, and 1 second", httpx.MaxRetryAfter},
		{"2147483647 seconds", httpx.MaxRetryAfter},
	} {
		t.Run(tc.delay, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{sendReply: map[string]string{"#ops": "404 " + delayPrefix + tc.delay + "."}})
			cfg := testConfig(srv.addr())
			cfg.Persistent = true
			_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			d, hinted := broadcast.RetryDelay(err)
			require.True(t, hinted, "a rate limit: %q", err)
			assert.Equal(t, tc.want, d)
		})
	}
}

// On a connection of its own, the current delaymsg text fails the channel
// for good, saying what would let the bot post, as the older one does.
func TestDelayMsgOfCurrentInspIRCdOnOwnConnectionPermanent(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": time.Minute}, delayText: delayPrefix + "%d seconds."})
	cfg := testConfig(srv.addr())
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "Config.Persistent")
	assert.Contains(t, err.Error(), "404 "+delayPrefix+"60 seconds.")
}
