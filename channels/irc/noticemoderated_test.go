package irc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a server without echo-message (ngIRCd), a NOTICE to a moderated
// channel (+m) from a bot without voice is dropped without a word too
// (ngIRCd sends ERR_CANNOTSENDTOCHAN to PRIVMSG only; RFC 2812 section
// 3.3.2 forbids any reply to a NOTICE). Send asks the channel's modes and
// NAMES after the lines, as it does where the lines are not echoed: the
// channel fails for good, saying why, rather than counting as delivered
// while no member saw a line. Voiced, it is delivered.
func TestNoticeToModeratedChannelWithoutEcho(t *testing.T) {
	for _, voiced := range []bool{false, true} {
		t.Run(fmt.Sprintf("voiced %v", voiced), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "m"},
				voiced: map[string]bool{"#ops": voiced}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = true
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err, "#status got the update")
			if voiced {
				assert.Equal(t, "#status,#ops", r.Meta["channels"])
				assert.Len(t, srv.saidIn("#ops"), 1)
				return
			}
			assert.Equal(t, "#status", r.Meta["channels"])
			assert.Equal(t, "#ops", r.Meta["failed"])
			done, failure := m.Ledger.Done("#ops")
			assert.True(t, done)
			assert.Contains(t, failure, "irc: send to #ops: the channel is moderated (+m) and the bot has no voice (+v): "+
				"the server drops its NOTICEs without a reply; give the bot voice")
			assert.Empty(t, srv.saidIn("#ops"))
		})
	}
}
