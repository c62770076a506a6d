package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A webhook secret written without its whsec_ prefix, which the webhook
// channel takes as the reference libraries do, is a secret all the same:
// written in the file or taken from the environment, refused or standing
// beside a setting that is, it is in no error, and the error names the
// key; taken, it is in no description of the file.
func TestBareWebhookSecretHidden(t *testing.T) {
	bare := strings.TrimPrefix(secret, "whsec_")
	short := "c2hvcnQtYnV0LWJhc2U2NA" // 16 bytes: refused
	tests := []struct {
		name, value, key string
		url              string
		vars             map[string]string
	}{
		{"refused, in the file", short, "secret", "https://hooks.example.com/in", nil},
		{"refused, from the environment", "${S}", "secret", "https://hooks.example.com/in", map[string]string{"S": short}},
		{"beside a url refused, in the file", bare, "url", "ftp://hooks.example.com/in", nil},
		{"beside a url refused, from the environment", "${S}", "url", "ftp://hooks.example.com/in", map[string]string{"S": bare}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out, err := parse(t, lines("channels:", "  - kind: webhook", "    url: "+tt.url, "    secret: "+tt.value), tt.vars)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `(webhook "webhook"): `+tt.key+": ")
			channeltest.AssertNoSecret(t, err.Error(), short, bare)
			channeltest.AssertNoSecret(t, out.String(), short, bare)
		})
	}
	cfg, out, err := parse(t, lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    secret: "+bare), nil)
	require.NoError(t, err)
	channeltest.AssertNoSecret(t, cfg.Describe("webhook"), bare)
	channeltest.AssertNoSecret(t, out.String(), bare)
}
