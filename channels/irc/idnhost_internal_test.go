package irc

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An international host name in Config.Server is dialed, and named in
// TLS, in its ASCII form (IDNA A-labels), which resolvers and
// certificates know: the Go resolver answers "no such host" for the name
// as written, and a Send failed at every attempt. Errors go on showing
// Server as written.
func TestServerHostDialedInASCII(t *testing.T) {
	for _, tc := range []struct {
		server, addr, serverName string
	}{
		{"irc.bücher.example:6697", "irc.xn--bcher-kva.example:6697", "irc.xn--bcher-kva.example"},
		{"IRC.Bücher.example.:6697", "irc.xn--bcher-kva.example.:6697", "irc.xn--bcher-kva.example."},
		{"irc.xn--bcher-kva.example:6697", "irc.xn--bcher-kva.example:6697", "irc.xn--bcher-kva.example"},
		{"Irc.Libera.Chat:6697", "Irc.Libera.Chat:6697", "Irc.Libera.Chat"},
		{"[2001:db8::1]:6697", "[2001:db8::1]:6697", "2001:db8::1"},
	} {
		t.Run(tc.server, func(t *testing.T) {
			s, err := newSettings(Config{Server: tc.server, Nick: "bot", Channels: []string{"#ops"}})
			require.NoError(t, err)
			assert.Equal(t, tc.addr, s.addr, "address dialed")
			assert.Equal(t, tc.serverName, s.tlsConfig.ServerName, "TLS server name")
			assert.Equal(t, tc.server, s.server, "what errors show")
		})
	}
	// A ServerName given in Unicode is verified in its ASCII form too;
	// the Config's own tls.Config is left as it is.
	given := &tls.Config{ServerName: "bücher.example"}
	s, err := newSettings(Config{Server: "127.0.0.1:6697", Nick: "bot", Channels: []string{"#ops"}, TLSConfig: given})
	require.NoError(t, err)
	assert.Equal(t, "xn--bcher-kva.example", s.tlsConfig.ServerName)
	assert.Equal(t, "bücher.example", given.ServerName)
}
