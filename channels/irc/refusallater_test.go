package irc_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A refusal for good of a later line (404), after the server relayed the
// lines before it, fails the channel for good and Uncertain too: part of
// the update was posted, and a Permanent mark alone says that nothing was
// (see broadcast.Channel). So without echo-message, where a refusal that
// came after more than one line was written may answer a later one than
// the first, and with it, once an earlier line was echoed. With
// echo-message and no line echoed, the server relayed none: the failure
// stays Permanent alone. So it does without echo-message when every line
// written got a refusal of its own (the server answers a line it refuses
// once, and one it relays not at all), and after a refusal of the only
// line written.
func TestRefusalOfLaterLineIsUncertain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		echo      bool
		body      string
		from      int // the first line refused
		uncertain bool
	}{
		{"line 2 refused, no echo-message", false, strings.Repeat("We are investigating elevated error rates. ", 12), 1, true},
		{"line 2 refused, echo-message", true, strings.Repeat("We are investigating elevated error rates. ", 12), 1, true},
		{"every line refused, echo-message", true, strings.Repeat("We are investigating elevated error rates. ", 12), 0, false},
		{"every line refused, no echo-message", false, strings.Repeat("We are investigating elevated error rates. ", 12), 0, false},
		{"the only line refused", false, "We are investigating elevated error rates.", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := 0
			var held []string // the refusals, sent before the PONG
			srv := newFakeServer(t, fakeOptions{
				echoMessage: tc.echo,
				onLine: func(nick, command, channel, text string) (bool, []string, []string) {
					mu.Lock()
					defer mu.Unlock()
					seen++
					if seen-1 < tc.from {
						return true, nil, nil
					}
					refusal := ":fake.test 404 " + nick + " " + channel + " :Cannot send to channel"
					if tc.from == 0 {
						held = append(held, refusal)
						return false, nil, nil
					}
					return false, nil, []string{refusal}
				},
				onPing: sendHeldAtPing(&mu, &held),
			})
			cfg := testConfig(srv.addr())
			u := sampleUpdate()
			u.Body = tc.body
			m := message(u)
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := newChannel(t, cfg).Send(context.Background(), m)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			failed := ledger.Failed()["#ops"]
			require.Error(t, failed)
			assert.Contains(t, failed.Error(), "404 Cannot send to channel")
			assert.True(t, broadcast.IsPermanent(failed), "%v", failed)
			assert.Equal(t, tc.uncertain, broadcast.IsUncertain(failed), "%v", failed)
			mu.Lock()
			defer mu.Unlock()
			if tc.from > 0 {
				assert.Greater(t, seen, tc.from, "a line was refused")
				assert.Len(t, srv.saidIn("#ops"), tc.from, "the lines before it were relayed")
			} else {
				assert.Empty(t, srv.saidIn("#ops"))
			}
		})
	}
}
