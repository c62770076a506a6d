package irc_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
)

// A channel key joined to its name by a separator New refuses ("#ops:key",
// "#ops,key", a control character), or given as an entry of its own, is
// still a key: a Config or its ChannelList prints, logs and encodes
// without it, whatever the verb or encoder, and New's error does not
// quote it. The name before it stays readable.
func TestKeyAfterWrongSeparatorNotShown(t *testing.T) {
	cfg := validConfig()
	cfg.Channels = []string{"#ops", "#colon:sep-Secret-1", "#comma,sep-Secret-2", "#spaced, sep-Secret-3",
		"#bell\asep-Secret-4", "sep-Secret-5", "#both:sep-Secret-6 sep-Secret-7"}
	secrets := []string{"sep-Secret-1", "sep-Secret-2", "sep-Secret-3", "sep-Secret-4", "sep-Secret-5", "sep-Secret-6", "sep-Secret-7"}

	_, err := irc.New(cfg)
	require.Error(t, err)
	shown := []string{err.Error()}
	for _, v := range []any{cfg, &cfg, cfg.Channels} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		shown = append(shown, buf.String())
		y, err := yaml.Marshal(v)
		require.NoError(t, err)
		js, err := json.Marshal(v)
		require.NoError(t, err)
		x, err := xml.Marshal(v)
		require.NoError(t, err)
		shown = append(shown, string(y), string(js), string(x))
	}
	shown = append(shown, cfg.URL().String(), fmt.Sprintf("%+v", cfg.URL()))
	for _, s := range shown {
		channeltest.AssertNoSecret(t, s, secrets...)
	}
	assert.Equal(t, `[#ops #colon REDACTED #comma REDACTED #spaced REDACTED #bell REDACTED REDACTED #both REDACTED]`,
		cfg.Channels.String())
}

// ParseURL reads "ops:key" in a URL's path as a channel name that New
// refuses; the Config it returns prints without the key.
func TestKeyAfterColonInURLNotShown(t *testing.T) {
	cfg, err := irc.ParseURL("ircs://bot@irc.example.net/ops:url-Secret-1")
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		s := fmt.Sprintf(verb, cfg)
		channeltest.AssertNoSecret(t, s, "url-Secret-1")
		assert.Contains(t, s, "#ops REDACTED")
	}
	_, err = irc.New(cfg)
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), "url-Secret-1")
}

// A Config whose Name is the key that an entry of Channels joins to its
// name by a separator New refuses ("#ops:key") is refused without
// quoting the name: it is that key.
func TestNameHoldingKeyAfterWrongSeparatorNotQuoted(t *testing.T) {
	for _, spec := range []string{"#ops:name-Secret-1", "#ops,name-Secret-1", "name-Secret-1"} {
		cfg := validConfig()
		cfg.Name = "name-Secret-1"
		cfg.Channels = []string{"#status", spec}
		_, err := irc.New(cfg)
		require.Error(t, err)
		channeltest.AssertNoSecret(t, err.Error(), "name-Secret-1")
		assert.Contains(t, err.Error(), "irc: Config.Name: holds", spec)
	}
}
