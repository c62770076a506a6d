package irc_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// A key written after a "," in the path, as a user who read the IRC URL
// scheme's ",flag" as a key's place would write it, was read as a channel
// of its own: "ops,KEY" gave #ops and #KEY, which New took, so the bot
// joined, and posted every update to, a public channel named after the
// key. A path that lists more than one channel now writes each with its
// channel prefix; one without is refused, naming the path and the right
// forms, without quoting the entry.
func TestURLKeyAfterCommaNotAChannel(t *testing.T) {
	const key = "Sesame0pen"
	for _, path := range []string{
		"ops," + key,
		"%23ops," + key,
		"#ops," + key,
		"ops," + key + ",dev",
		"#ops,#dev," + key,
		"ops,needkey", // the flag of an early IRC URL draft, not a channel
	} {
		t.Run(path, func(t *testing.T) {
			cfg, err := irc.ParseURL("ircs://bot@irc.example.com/" + path)
			require.Error(t, err, "read as %v", cfg.Channels.String())
			assert.ErrorContains(t, err, "irc: URL: path: channel ")
			assert.ErrorContains(t, err, `has no channel prefix`)
			assert.ErrorContains(t, err, `%20`, "names the form a key takes")
			assert.NotContains(t, err.Error(), key)
			assert.NotContains(t, err.Error(), "needkey")
		})
	}
	// The error says which entry lacks its prefix, by its place.
	_, err := irc.ParseURL("ircs://bot@irc.example.com/%23ops,%23dev," + key)
	require.Error(t, err)
	assert.ErrorContains(t, err, fmt.Sprintf("channel %d of %d", 3, 3))
}

// A path naming one channel may leave its "#" out; a list whose entries
// carry their prefixes parses as before.
func TestURLChannelListWithPrefixes(t *testing.T) {
	for raw, want := range map[string]irc.ChannelList{
		"ircs://bot@irc.example.com/ops":                        {"#ops"},
		"ircs://bot@irc.example.com/ops%20" + urlKey:            {"#ops " + urlKey},
		"ircs://bot@irc.example.com/%23ops,%23dev":              {"#ops", "#dev"},
		"ircs://bot@irc.example.com/#ops,#dev,&local,+m":        {"#ops", "#dev", "&local", "+m"},
		"ircs://bot@irc.example.com/#ops%20" + urlKey + ",#dev": {"#ops " + urlKey, "#dev"},
	} {
		cfg, err := irc.ParseURL(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, want, cfg.Channels, raw)
		}
	}
}
