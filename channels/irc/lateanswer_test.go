package irc_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel whose posting stopped at a refusal, while another line of it
// was out, has the answer to that line still to come: a reply naming
// neither the channel nor anything but the command ("417 nick :Input line
// was too long", "461 nick PRIVMSG :Not enough parameters") must be taken
// for an answer to it, not to the lines of the channel posted next, which
// the server relayed every one of and is delivered.
func TestLateAnswerOfStoppedChannelFailsNotTheNext(t *testing.T) {
	for _, answer := range []string{
		":fake.test 417 %n :Input line was too long",
		":fake.test 461 %n %m :Not enough parameters",
	} {
		t.Run(strings.Fields(answer)[1], func(t *testing.T) {
			// The case needs #a stopped by the answer to its first line
			// (sent with its second) before its third is written: the
			// client must have read that answer within one Interval. A
			// loaded machine may not, and the case is then not made (the
			// channel's PING after #a's last line collects the answers in
			// order, as it always did): each try paces the lines further
			// apart, until the case is made. The outcome is checked at
			// every try; only one where it was made ends the test.
			for _, interval := range []time.Duration{20 * time.Millisecond, 200 * time.Millisecond, 2 * time.Second} {
				if lateAnswerCase(t, answer, interval) {
					return
				}
				t.Logf("#a was not stopped before its last line %v apart: trying again further apart", interval)
			}
			t.Fatal("#a was never stopped before its last line: the case was not made")
		})
	}
}

// lateAnswerCase sends a long update to #a and #b, the server answering
// #a's every line with answer, held until the client's next line or PING,
// with the channel's lines interval apart; it checks that #a failed and
// #b was delivered, and reports whether #a stopped before its last line.
func lateAnswerCase(t *testing.T, answer string, interval time.Duration) bool {
	t.Helper()
	var mu sync.Mutex
	var held []string // the answer to #a's last line, sent with the client's next line or PING
	srv := newFakeServer(t, fakeOptions{
		onLine: func(nick, command, channel, text string) (bool, []string, []string) {
			mu.Lock()
			defer mu.Unlock()
			before := held
			held = nil
			if channel != "#a" {
				return true, before, nil
			}
			held = []string{strings.NewReplacer("%n", nick, "%m", command).Replace(answer)}
			return false, before, nil
		},
		onPing: sendHeldAtPing(&mu, &held),
	})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#b"}
	// One line at a time: the answer to #a's first line, sent with its
	// second, stops #a before its third.
	cfg.Burst, cfg.Interval = 1, interval
	u := sampleUpdate()
	u.Body = strings.Repeat("We are investigating elevated error rates on the CDN edge. ", 24)
	m := message(u)
	_, err := newChannel(t, cfg).Send(context.Background(), m)
	require.Error(t, err)
	pending := pendingErr(t, err, "#a")
	assert.Contains(t, pending.Error(), "send to #a")
	assert.NotEmpty(t, srv.saidIn("#b"))
	done, failure := m.Ledger.Done("#b")
	assert.True(t, done && failure == "", "#b not delivered (%q), though the server relayed its every line: %v", failure, err)
	return len(srv.commands("PRIVMSG #a")) < 3
}

// sendHeldAtPing returns a fakeOptions.onPing that sends the lines held,
// taken under mu, before the PONG, and holds none after.
func sendHeldAtPing(mu *sync.Mutex, held *[]string) func(string) []string {
	return func(string) []string {
		mu.Lock()
		defer mu.Unlock()
		out := *held
		*held = nil
		return out
	}
}
