package irc_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/irc"
)

// The IRC URL scheme gives a channel's key in a "key" option
// (modern.ircdocs.horse, "URL Schemes for IRC": "key" Option), valid only
// where the URL names one channel. ParseURL takes it there, as the key
// written after a space would be, and a URL prints without it, as a
// Config does.
func TestURLKeyOption(t *testing.T) {
	const key = "Sesame0pen"
	for raw, want := range map[string]irc.ChannelList{
		"ircs://bot@irc.example.com/ops?key=" + key:                {"#ops " + key},
		"ircs://bot@irc.example.com/%23ops?key=" + key:             {"#ops " + key},
		"ircs://bot@irc.example.com/#ops?notice=true&key=" + key:   {"#ops " + key},
		"ircs://bot@irc.example.com/&local?key=" + key + "%2B1":    {"&local " + key + "+1"},
		"ircs://bot@irc.example.com/ops?key=" + key + "&burst=2":   {"#ops " + key},
		"ircs://bot@irc.example.com/ops,?key=" + key:               {"#ops " + key},
		"ircs://bot@irc.example.com:6697/%23ops%40home?key=" + key: {"#ops@home " + key},
	} {
		cfg, err := irc.ParseURL(raw)
		if !assert.NoError(t, err, raw) {
			continue
		}
		assert.Equal(t, want, cfg.Channels, raw)
		_, err = irc.New(cfg)
		assert.NoError(t, err, raw)
		back, err := irc.ParseURL(cfg.URL().Reveal())
		if assert.NoError(t, err) {
			assert.Equal(t, cfg, back, "Config → URL → Config")
		}
		for _, shown := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
			cfg.Channels.String(), cfg.URL().String(), fmt.Sprint(cfg.URL())} {
			assert.NotContains(t, shown, key)
		}
	}
}

// A key option where the URL names no channel, or several, or a channel
// that has a key already, is refused: naming the option and the right
// forms, quoting no key.
func TestURLKeyOptionRefused(t *testing.T) {
	const key = "Sesame0pen"
	for raw, want := range map[string]string{
		"ircs://bot@irc.example.com/?key=" + key:                    "query key: the path names no channel",
		"ircs://bot@irc.example.com?key=" + key:                     "query key: the path names no channel",
		"ircs://bot@irc.example.com/%23ops,%23dev?key=" + key:       "query key: the path names 2 channels",
		"ircs://bot@irc.example.com/ops%20" + key + "?key=" + key:   "query key: the channel has a key already",
		"ircs://bot@irc.example.com/ops%20Other1?key=" + key:        "query key: the channel has a key already",
		"ircs://bot@irc.example.com/ops?key=":                       "query key: empty",
		"ircs://bot@irc.example.com/ops?key=" + key + "&key=" + key: `query: "key" given 2 times`,
	} {
		_, err := irc.ParseURL(raw)
		if assert.Error(t, err, raw) {
			assert.ErrorContains(t, err, "irc: URL: query", raw)
			assert.ErrorContains(t, err, want, raw)
			assert.NotContains(t, err.Error(), key, raw)
			assert.NotContains(t, err.Error(), "Other1", raw)
		}
	}
}
