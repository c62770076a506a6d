package irc

import (
	"testing"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a connection whose nick is "bot", in #ops, knows of #ops after
// the server's lines: whether it is moderated, and whether the bot has
// voice or more (RFC 2811; RPL_ISUPPORT PREFIX and CHANMODES).
func TestTrackModes(t *testing.T) {
	const join = ":bot!u@h JOIN #ops"
	tests := []struct {
		name  string
		lines []string
		want  chanModes
	}{
		{"joined only", []string{join}, chanModes{}},
		{"NAMES without voice", []string{join, ":irc.test 353 bot = #ops :@op bot"},
			chanModes{voiceKnown: true, heldAll: true}},
		{"NAMES voiced", []string{join, ":irc.test 353 bot = #ops :@op +bot"},
			chanModes{voiceKnown: true, held: "v", heldAll: true}},
		{"NAMES opped, maybe voiced too", []string{join, ":irc.test 353 bot = #ops :@bot"},
			chanModes{voiceKnown: true, held: "o"}},
		{"deopped: voice not known", []string{join, ":irc.test 353 bot = #ops :@bot", ":op!u@h MODE #ops -o bot"},
			chanModes{}},
		{"multi-prefix, deopped", []string{join, ":irc.test 353 bot = #ops :@+bot", ":op!u@h MODE #ops -o bot"},
			chanModes{voiceKnown: true, held: "v", heldAll: true}},
		{"324 moderated", []string{join, ":irc.test 324 bot #ops +mnt"}, chanModes{modesKnown: true, moderated: true}},
		{"324 not moderated, key", []string{join, ":irc.test 324 bot #ops +knt sesame"}, chanModes{modesKnown: true}},
		{"+m relayed", []string{join, ":op!u@h MODE #ops +m"}, chanModes{modesKnown: true, moderated: true}},
		{"+m then -m", []string{join, ":op!u@h MODE #ops +m", ":op!u@h MODE #ops -m"}, chanModes{modesKnown: true}},
		{"voiced after a key and a ban", []string{join, ":irc.test 353 bot = #ops :bot",
			":op!u@h MODE #ops +kbvm sesame x!*@* bot"},
			chanModes{modesKnown: true, moderated: true, voiceKnown: true, held: "v", heldAll: true}},
		{"another nick voiced", []string{join, ":irc.test 353 bot = #ops :bot", ":op!u@h MODE #ops +v other"},
			chanModes{voiceKnown: true, heldAll: true}},
		{"-l takes no parameter", []string{join, ":irc.test 353 bot = #ops :bot", ":op!u@h MODE #ops -l+v bot"},
			chanModes{voiceKnown: true, held: "v", heldAll: true}},
		{"a mode not known before a voice", []string{join, ":irc.test 353 bot = #ops :+bot",
			":op!u@h MODE #ops +Xv what bot"}, chanModes{held: "v", heldAll: true}},
		{"renamed, then devoiced", []string{join, ":irc.test 353 bot = #ops :+bot", ":bot!u@h NICK bot2",
			":op!u@h MODE #ops -v bot2"}, chanModes{voiceKnown: true, heldAll: true}},
		{"rejoined: known anew", []string{join, ":irc.test 324 bot #ops +m", ":op!u@h KICK #ops bot :out", join},
			chanModes{}},
		{"the server's own PREFIX", []string{":irc.test 005 bot PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnt :are supported",
			join, ":irc.test 353 bot = #ops :%bot", ":op!u@h MODE #ops -h bot"}, chanModes{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{nick: "bot", joined: map[string]bool{}, ranks: defaultRanks,
				prefixModes: defaultPrefixModes, chanModeKinds: defaultChanModes}
			for _, line := range tt.lines {
				m, err := ircmsg.ParseLine(line)
				require.NoError(t, err)
				c.track(m)
			}
			got, in := c.knownModes("#ops")
			require.True(t, in)
			if !got.voiceKnown {
				got.held, got.heldAll = "", false // not known: what is left of them says nothing
				tt.want.held, tt.want.heldAll = "", false
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// The bot's nick is told from others by the server's CASEMAPPING: on an
// "ascii" server (ngIRCd, Ergo) "bot[1]" and "bot{1}" are two users, and
// what is said of the other leaves the bot's voice and channels as they
// are; on an "rfc1459" server they are one nick.
func TestTrackModesNickCaseMapping(t *testing.T) {
	const join = ":bot[1]!u@h JOIN #ops"
	tests := []struct {
		name    string
		mapping string
		lines   []string
		in      bool
		want    chanModes
	}{
		{"ascii: NAMES lists the other after the bot", "ascii",
			[]string{join, ":irc.test 353 bot[1] = #ops :+bot[1] bot{1}"},
			true, chanModes{voiceKnown: true, held: "v", heldAll: true}},
		{"ascii: the other devoiced", "ascii",
			[]string{join, ":irc.test 353 bot[1] = #ops :+bot[1] +bot{1}", ":op!u@h MODE #ops -v bot{1}"},
			true, chanModes{voiceKnown: true, held: "v", heldAll: true}},
		{"ascii: the other kicked", "ascii",
			[]string{join, ":irc.test 324 bot[1] #ops +m", ":op!u@h KICK #ops bot{1} :out"},
			true, chanModes{modesKnown: true, moderated: true}},
		{"ascii: the other leaves", "ascii",
			[]string{join, ":irc.test 324 bot[1] #ops +m", ":bot{1}!u@h PART #ops"},
			true, chanModes{modesKnown: true, moderated: true}},
		{"rfc1459: one nick", "rfc1459",
			[]string{join, ":irc.test 353 bot[1] = #ops :+bot[1]", ":op!u@h MODE #ops -v BOT{1}"},
			true, chanModes{voiceKnown: true, heldAll: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{nick: "bot[1]", joined: map[string]bool{}, ranks: defaultRanks,
				prefixModes: defaultPrefixModes, chanModeKinds: defaultChanModes}
			lines := append([]string{":irc.test 005 bot[1] CASEMAPPING=" + tt.mapping + " :are supported"}, tt.lines...)
			for _, line := range lines {
				m, err := ircmsg.ParseLine(line)
				require.NoError(t, err)
				c.track(m)
			}
			got, in := c.knownModes("#ops")
			require.Equal(t, tt.in, in)
			assert.Equal(t, tt.in, c.joined[c.chanFold("#ops")], "joined")
			assert.Equal(t, tt.want, got)
		})
	}
}
