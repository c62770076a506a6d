package irc

import (
	"testing"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server that names no CASEMAPPING and ends its welcome with neither
// 376 nor 422 has sent its welcome once it answers a PING the bot sent
// after 001 (a server answers lines in order): the PONG of the probe that
// starts every Send on a kept connection ends the wait for the
// casemapping, which otherwise took Config.Timeout on every such Send.
func TestPongEndsTheWelcome(t *testing.T) {
	c := &conn{nick: "bot", joined: map[string]bool{}, ranks: defaultRanks}
	c.track(ircmsg.MakeMessage(nil, "irc.example", "001", "bot", "Welcome"))
	c.track(ircmsg.MakeMessage(nil, "irc.example", "005", "bot", "CHANTYPES=#", "are supported by this server"))
	require.False(t, c.caseMappingKnown(), "no CASEMAPPING, no end of the MOTD yet")
	c.track(ircmsg.MakeMessage(nil, "irc.example", "PONG", "irc.example", "outagecast-1"))
	assert.True(t, c.caseMappingKnown())
	assert.Equal(t, mapUnnamed, c.caseMapping())
}
