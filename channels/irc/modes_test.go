package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// A channel mode that admits only some users (TLS connections, IRC
// operators, users logged in to services) refuses the JOIN at every
// attempt: the channel fails for good, its error saying which users the
// channel takes. ngIRCd answers all three with 471, ERR_CHANNELISFULL, as it
// answers a full channel (+l), and only the text tells them apart
// (src/ngircd/messages.h, ERR_SECURECHANNEL_MSG, ERR_OPONLYCHANNEL_MSG,
// ERR_REGONLYCHANNEL_MSG); Solanum answers its TLS-only +S with 480, as its
// join throttle +j (extensions/chm_sslonly.c: "This is equal to
// ERR_THROTTLE"). A full channel and a join throttle pass with time:
// transient. The texts are the servers' own.
func TestJoinRefusedForMode(t *testing.T) {
	tests := []struct {
		name      string
		reply     string // the numeric and its text
		want      string // in the channel's error
		permanent bool
	}{
		{name: "ngIRCd +z", reply: "471 Cannot join channel (+z) -- SSL connections only",
			want:      "join #ops: the channel takes only users connected with TLS; set Config.TLS to TLSOn: 471 Cannot join channel (+z)",
			permanent: true},
		{name: "ngIRCd +O", reply: "471 Cannot join channel (+O) -- IRC opers only",
			want: "join #ops: the channel takes only IRC operators: 471 Cannot join channel (+O)", permanent: true},
		{name: "ngIRCd +R", reply: "471 Cannot join channel (+R) -- Registered users only",
			want:      "join #ops: the channel takes only users logged in to the network's services; log in with",
			permanent: true},
		{name: "ngIRCd +l", reply: "471 Cannot join channel (+l) -- Channel is full, try later",
			want: "join #ops: 471 Cannot join channel (+l)"},
		// ircd/messages.h, NUMERIC_STR_471.
		{name: "Solanum +l", reply: "471 Cannot join channel (+l) - channel is full, try again later",
			want: "join #ops: 471 Cannot join channel (+l)"},
		{name: "Solanum +S", reply: "480 Cannot join channel (+S) - SSL/TLS required",
			want: "join #ops: the channel takes only users connected with TLS", permanent: true},
		// ircd/messages.h, NUMERIC_STR_480.
		{name: "Solanum +j", reply: "480 Cannot join channel (+j) - throttle exceeded, try again later",
			want: "join #ops: 480 Cannot join channel (+j)"},
		// extensions/chm_operonly.c.
		{name: "Solanum +O", reply: "520 Cannot join channel (+O) - you are not an IRC operator",
			want: "join #ops: the channel takes only IRC operators: 520", permanent: true},
		// UnrealIRCd's ERR_OPERONLY and ERR_SECUREONLYCHAN, which
		// InspIRCd took over.
		{name: "UnrealIRCd +O", reply: "520 Cannot join channel (IRCops only)",
			want: "join #ops: the channel takes only IRC operators: 520", permanent: true},
		{name: "InspIRCd +z", reply: "489 Cannot join channel; SSL users only (+z is set)",
			want: "join #ops: the channel takes only users connected with TLS", permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{"#ops": tt.reply}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			r, err := ch.Send(context.Background(), m)
			assert.NotEmpty(t, srv.saidIn("#status"))
			done, failure := m.Ledger.Done("#ops")
			if tt.permanent {
				// #status got the update: the Send delivered, and the
				// Ledger (so the Result) holds #ops as failed for good.
				require.NoError(t, err)
				assert.Equal(t, "#ops", r.Meta["failed"])
				assert.True(t, done)
				assert.Contains(t, failure, tt.want)
				return
			}
			assert.False(t, done, "left for a later attempt")
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			p := onePending(t, err, "#ops")
			assert.Contains(t, p.Err.Error(), tt.want)
			var re *irc.ReplyError
			require.ErrorAs(t, p.Err, &re)
			assert.Equal(t, tt.reply[:3], re.Code)
		})
	}
}
