package irc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With Config.Notice on a server without echo-message, the MODE query
// asked before a channel's lines may be answered with an error naming the
// channel (RFC 2812's 477 ERR_NOCHANMODES on a "+" channel, which has no
// modes; 482 or 442 on servers that refuse the query) or not at all: the
// modes stay unknown, nothing is failed for it, and the lines go out as
// they would without the question.
func TestNoticeModesUnknownLinesGoOut(t *testing.T) {
	for name, reply := range map[string]string{
		"477":       "477 Channel doesn't support modes",
		"482":       "482 You're not a channel operator",
		"442":       "442 You're not on that channel",
		"no answer": "-",
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{modeReply: map[string]string{"+ops": reply}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"+ops"}
			cfg.Notice = true
			cfg.Timeout = time.Second // what the unanswered MODE waits
			m := message(sampleUpdate())
			r, err := newChannel(t, cfg).Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, "+ops", r.Meta["channels"])
			assert.NotEmpty(t, srv.commands("MODE"), "the modes were not asked")
			assert.NotEmpty(t, noticesTo(srv.received(), "+ops"), "no line went to +ops")
		})
	}
}
