package irc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A 439 ERR_TARGETTOOFAST to the lines asks, with broadcast.RetryAfter,
// for the wait its text names (ircu's "Target change too fast. Please
// wait N seconds.", UnrealIRCd's "Message target change too fast. Please
// wait N seconds"), a second at least and a day at most, as other
// servers' waits are capped; without one it stays a plain transient
// failure. After a relayed line it is Uncertain too, keeping its wait.
func TestTargetTooFastAsksItsWait(t *testing.T) {
	long := strings.Repeat("We are investigating elevated error rates. ", 12)
	for _, tc := range []struct {
		name  string
		text  string
		after bool // the first line relayed, a later one answered so
		wait  time.Duration
		waits bool
	}{
		{"ircu", "Target change too fast. Please wait 10 seconds.", false, 10 * time.Second, true},
		{"UnrealIRCd", "Message target change too fast. Please wait 12 seconds", false, 12 * time.Second, true},
		{"no wait named", "Target change too fast", false, 0, false},
		{"a wait past a day", "Target change too fast. Please wait 9999999999 seconds.", false, 24 * time.Hour, true},
		// Whole seconds, rounded down: 0 says under one left, not "now",
		// which a retry at once would find over the limit still.
		{"a wait of 0 seconds", "Target change too fast. Please wait 0 seconds.", false, time.Second, true},
		{"after a relayed line", "Target change too fast. Please wait 10 seconds.", true, 10 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := fakeOptions{sendReply: map[string]string{"#ops": "439 " + tc.text}}
			u := sampleUpdate()
			if tc.after {
				opts = fakeOptions{onLine: afterFirst(":fake.test 439 %n %c :"+tc.text, false)}
				u.Body = long
			}
			srv := newFakeServer(t, opts)
			m := message(u)
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := newChannel(t, testConfig(srv.addr())).Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			pending := pendingErr(t, err, "#ops")
			assert.Contains(t, pending.Error(), "439 ")
			wait, waits := broadcast.RetryDelay(pending)
			assert.Equal(t, tc.waits, waits, "%v", pending)
			assert.Equal(t, tc.wait, wait, "%v", pending)
			assert.Equal(t, tc.after, broadcast.IsUncertain(pending), "%v", pending)
			done, _ := ledger.Done("#ops")
			assert.False(t, done)
		})
	}
}

// A 439 that answers a JOIN with a wait asks for it too.
func TestTargetTooFastToJoinAsksItsWait(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{"#ops": "439 Target change too fast. Please wait 10 seconds."}})
	_, err := newChannel(t, testConfig(srv.addr())).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	pending := pendingErr(t, err, "#ops")
	assert.Contains(t, pending.Error(), "join #ops")
	wait, waits := broadcast.RetryDelay(pending)
	assert.True(t, waits, "%v", pending)
	assert.Equal(t, 10*time.Second, wait)
}

// A 439 that answers a JOIN naming no channel, only the command ("439 nick
// JOIN :…") or nothing ("439 nick :…"), asks for the wait its text names
// too, as one naming the channel does, once Config.Timeout fails the
// channel: it is the JOIN's answer. It was a plain transient failure,
// retried on the plain backoff, before the wait the server asked for.
func TestTargetTooFastToJoinNamingNoChannelAsksItsWait(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		wait time.Duration
	}{
		{"naming the command", ":fake.test 439 %s JOIN :Target change too fast. Please wait 10 seconds.", 10 * time.Second},
		{"naming nothing", ":fake.test 439 %s :Target change too fast. Please wait 12 seconds.", 12 * time.Second},
		{"a wait of 0 seconds", ":fake.test 439 %s JOIN :Target change too fast. Please wait 0 seconds.", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{"#ops": tc.raw}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#ops", "#a"}
			cfg.Timeout = 300 * time.Millisecond
			_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			pending := pendingErr(t, err, "#ops")
			assert.Contains(t, pending.Error(), "irc: join #ops: not joined within 300ms, after the server's error reply: 439 ")
			wait, waits := broadcast.RetryDelay(pending)
			assert.True(t, waits, "%v", pending)
			assert.Equal(t, tc.wait, wait, "%v", pending)
			assert.Len(t, srv.saidIn("#a"), 1)
		})
	}
}
