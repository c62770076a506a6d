package config_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/internal/secrets/secretstest"
)

// config finds in a Config the secrets the channel packages' New finds
// (setup's TestSameSecretsAsConfig checks the same names), also for a
// Kind whose New checks nothing: in fields, nested structs, lists, maps,
// behind pointers, and in URLs' user information and query, redact.URL
// or plain string. A name holding one is refused, the error saying in
// which key, without quoting the name.
func TestSameSecretsAsTheChannels(t *testing.T) {
	fixture := config.Define("fixture", func(c secretstest.Config) (broadcast.Channel, error) {
		return broadcast.ChannelFunc(c.Name, func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, nil
		}), nil
	}, config.Spec[secretstest.Config]{})
	l := config.Loader{LookupEnv: env(nil), Kinds: append(config.Kinds(), fixture)}
	entry := func(name string) string {
		body := "    " + strings.ReplaceAll(strings.TrimSuffix(secretstest.YAML, "\n"), "\n", "\n    ")
		return "channels:\n  - kind: fixture\n    name: '" + name + "'\n" + body + "\n"
	}
	keys := map[string]string{"Token": "token", "Hook": "hook", "BaseURL": "base_url", "Inner.Key": "inner.key",
		"List[0].Key": "list[0].key", "List[1].URLs[0]": "list[1].urls[0]", "List[1].URLs[1]": "list[1].urls[1]",
		"Map[…].Key": "map[…].key", "Headers[…]": "headers[…]", "Ptr.Key": "ptr.key", "Ptr.URLs[0]": "ptr.urls[0]"}
	for name, field := range secretstest.Held {
		_, err := parseIn(t.TempDir(), entry(name), l)
		require.Error(t, err, name)
		msg := err.Error()
		assert.Contains(t, msg, ": name: holds one of the channel's secrets", name)
		assert.Contains(t, msg, "; it holds the value of "+keys[field], name)
		assert.NotContains(t, msg, name)
	}
	for _, name := range secretstest.Free {
		cfg, err := parseIn(t.TempDir(), entry(name), l)
		require.NoError(t, err, name)
		assert.Equal(t, name, cfg.Channels[0].Name())
	}
}
