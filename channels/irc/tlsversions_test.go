package irc_test

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// A TLSConfig whose MinVersion and MaxVersion leave no TLS version fails
// every handshake before a byte is sent, whatever the server: New refuses
// it naming the field, where every Send failed transiently, retried to the
// last attempt, with crypto/tls's words and no field named. A range that
// leaves one version, an old one included, is taken.
func TestNewRefusesTLSConfigWithoutVersion(t *testing.T) {
	for _, tc := range []*tls.Config{
		{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS12},
		{MaxVersion: tls.VersionTLS11}, // a client's MinVersion of 0 is TLS 1.2
	} {
		cfg := testConfig("irc.example.net:6697")
		cfg.TLS, cfg.TLSConfig = irc.TLSOn, tc
		_, err := irc.New(cfg)
		require.Error(t, err, "MinVersion %x, MaxVersion %x", tc.MinVersion, tc.MaxVersion)
		assert.Contains(t, err.Error(), "irc: Config.TLSConfig: MinVersion ")
		assert.Contains(t, err.Error(), "no TLS version is left")
	}
	for _, tc := range []*tls.Config{
		{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
		{MaxVersion: tls.VersionTLS12},
		{MinVersion: tls.VersionTLS13},
		{},
	} {
		cfg := testConfig("irc.example.net:6697")
		cfg.TLS, cfg.TLSConfig = irc.TLSOn, tc
		_, err := irc.New(cfg)
		assert.NoError(t, err, "MinVersion %x, MaxVersion %x", tc.MinVersion, tc.MaxVersion)
	}
}
