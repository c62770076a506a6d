package irc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/irc"
)

// A password that starts with digits, its "/" or "?" not %-escaped, ends
// the URL's authority there: url.Parse reads the nick as the host and the
// digits as its port, and the rest of the password, with the real
// server, as the channel list or the query. Parsed, the channel would
// connect to the nick's host and join a channel named after the rest of
// the password. The error names the port and quotes none of it. (A "#"
// stands for itself, in a password too.)
func TestParseURLRefusesPasswordCutAfterDigits(t *testing.T) {
	for raw, part := range map[string]string{
		"ircs://bot:2024/hunter2@irc.example.net/ops":                    "path",
		"ircs://bot:2024/hunter2@irc.example.net:6697/ops?notice=true":   "path",
		"irc://bot:2024/hunter2@127.0.0.1/ops":                           "path",
		"ircs://bot:20244628501937465820/@irc.example.net/ops":           "path",
		"ircs://bot:2024?hunter2@irc.example.net/ops":                    "query",
		"ircs://bot:2024?notice=hunter2@irc.example.net/ops?notice=true": "query",
	} {
		_, err := irc.ParseURL(raw)
		if !assert.Error(t, err, raw) {
			continue
		}
		assert.Contains(t, err.Error(), `irc: URL: port: followed by a `+part+` holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the `+part+`, %40)`, raw)
		for _, piece := range []string{"2024", "hunter2", "4628"} {
			assert.NotContains(t, err.Error(), piece, raw)
		}
	}
}

// A port with channels, an "@" written %40, an "@" after user information
// with a port, and a "#" in a password that starts with digits all parse.
func TestParseURLKeepsItsAtSigns(t *testing.T) {
	for raw, want := range map[string]irc.Config{
		"ircs://bot@irc.example.net:6697/%23ops,%23dev": {Server: "irc.example.net:6697", Nick: "bot", Channels: irc.ChannelList{"#ops", "#dev"}},
		"ircs://bot@irc.example.net:6697/ops%40home":    {Server: "irc.example.net:6697", Nick: "bot", Channels: irc.ChannelList{"#ops@home"}},
		"ircs://bot@irc.example.net:6697/ops@home":      {Server: "irc.example.net:6697", Nick: "bot", Channels: irc.ChannelList{"#ops@home"}},
		"ircs://irc.example.net:6697/ops":               {Server: "irc.example.net:6697", Channels: irc.ChannelList{"#ops"}},
		"ircs://irc.example.net/ops@home":               {Server: "irc.example.net:6697", Channels: irc.ChannelList{"#ops@home"}},
	} {
		got, err := irc.ParseURL(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, want, got, raw)
		}
	}
	for raw, pw := range map[string]string{
		"ircs://bot:2024%2Fhunter2@irc.example.net:6697/ops": "2024/hunter2",
		"ircs://bot:2024#hunter2@irc.example.net/ops":        "2024#hunter2",
	} {
		got, err := irc.ParseURL(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, pw, got.Password.Reveal(), raw)
			assert.Equal(t, "irc.example.net:6697", got.Server, raw)
		}
	}
}
