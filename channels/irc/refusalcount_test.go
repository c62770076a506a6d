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

// A server that answers one refused line with two numerics naming the
// channel (a 404 and InspIRCd 2.0's 936, a 477 and a 404) refuses one line,
// not two: without echo-message, after a first line relayed and a second
// one refused so, the channel's failure for good is Uncertain too, as
// after a line refused with one numeric. Counted as two refusals, the two
// lines written would seem refused both, and the failure would say that
// nothing was posted, though the first line was.
func TestTwoNumericsForOneLineCountOneRefusal(t *testing.T) {
	long := strings.Repeat("We are investigating elevated error rates. ", 12)
	for _, tc := range []struct {
		name    string
		answers []string
	}{
		{"404 and 936", []string{
			":fake.test 404 %n %c :Cannot send to channel",
			":fake.test 936 %n %c badword :Your message contained a censored word, and was blocked"}},
		{"477 and 404", []string{
			":fake.test 477 %n %c :You need to be identified to a registered account to speak",
			":fake.test 404 %n %c :Cannot send to channel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := 0
			srv := newFakeServer(t, fakeOptions{onLine: func(nick, _, channel, _ string) (bool, []string, []string) {
				mu.Lock()
				defer mu.Unlock()
				if seen++; seen == 1 {
					return true, nil, nil
				}
				var before []string
				for _, a := range tc.answers {
					before = append(before, strings.NewReplacer("%n", nick, "%c", channel).Replace(a))
				}
				return false, before, nil // every later line refused, with both numerics
			}})
			u := sampleUpdate()
			u.Body = long
			m := message(u)
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := newChannel(t, testConfig(srv.addr())).Send(context.Background(), m)
			require.Error(t, err)
			require.Len(t, srv.saidIn("#ops"), 1, "the first line was relayed")
			failed := ledger.Failed()["#ops"]
			require.Error(t, failed, "refused for good: %v", err)
			assert.True(t, broadcast.IsUncertain(failed), "a line was relayed: %v", failed)
		})
	}
}
