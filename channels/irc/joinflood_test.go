package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// UnrealIRCd's channel anti-flood sets +R for 10 minutes on a join flood
// (its documentation's "Channel anti-flood settings"), and a bot without a
// login then gets the 477 of a channel its operators made +R, which names
// no mode. Send cannot tell the two apart: the refusal stays permanent,
// and its error names both causes and the SASL login that lets the bot in
// either way. It named the operators' +R alone.
func TestUnrealJoinFloodRegisteredOnly(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{
		"#ops": "477 You need a registered nick to join that channel."}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops"}

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	for _, want := range []string{
		"irc: join #ops: the channel takes only users logged in to the network's services",
		"by the server against a join flood",
		"Config.SASLUser and Config.SASLPassword",
		"477 You need a registered nick to join that channel.",
	} {
		assert.Contains(t, err.Error(), want)
	}
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	assert.Equal(t, "477", re.Code)
}
