package irc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// Every Config that New takes, with a list of channels or one, comes back
// from its URL as it was: lists of "&", "+" and "!" channels, channels
// with keys, one channel written with and without its "#".
func TestURLRoundTripChannelLists(t *testing.T) {
	for _, list := range []irc.ChannelList{
		{"#ops"},
		{"#ops " + urlKey},
		{"&local"},
		{"+modeless " + urlKey},
		{"!12345ops"},
		{"##ops"},
		{"#ops", "#dev"},
		{"#ops " + urlKey, "#dev"},
		{"&local", "#ops"},
		{"+modeless", "#ops " + urlKey, "&local " + urlKey + "2"},
		{"!12345ops", "#ops"},
		{"#ops", "##dev", "#a%b", "#a?b", "#a#b", "#ops@home"},
	} {
		cfg := irc.Config{Server: "irc.example.com:6697", Nick: "bot", Channels: list}
		_, err := irc.New(cfg)
		require.NoError(t, err, "New takes %v", list)
		raw := cfg.URL().Reveal()
		back, err := irc.ParseURL(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, cfg, back, raw)
		}
	}
}
