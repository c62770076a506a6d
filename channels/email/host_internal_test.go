package email

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A host name outside ASCII (IDN) is dialed as its A-labels, and TLS
// verifies the certificate against, and sends as SNI, the A-labels too:
// resolvers and certificates know the name in that form only. (Checked
// here, inside: a dial of the name would ask the DNS.)
func TestIDNServerName(t *testing.T) {
	for _, c := range []struct {
		name string
		tls  *tls.Config
		want string
	}{
		{"from Host", nil, "smtp.xn--bcher-kva.example"},
		{"given", &tls.Config{ServerName: "mx.Bücher.example"}, "mx.xn--bcher-kva.example"},
		{"given in ASCII", &tls.Config{ServerName: "mx.example.net"}, "mx.example.net"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch, err := New(Config{Host: "smtp.bücher.example", TLSConfig: c.tls, From: "status@example.com", To: []string{"a@example.net"}})
			require.NoError(t, err)
			assert.Equal(t, "smtp.xn--bcher-kva.example", ch.cfg.Host, "dialed as")
			assert.Equal(t, c.want, ch.cfg.TLSConfig.ServerName)
			if c.tls != nil {
				assert.Contains(t, []string{"mx.Bücher.example", "mx.example.net"}, c.tls.ServerName,
					"the caller's TLSConfig is left as it is")
			}
		})
	}
}

// The default EHLO name (RFC 5321, 4.1.1.1 and 4.1.4): the host name when
// it is fully qualified, else the address literal of the connection's
// local address, an IPv4-mapped one as IPv4, an IPv6 one tagged and without
// its zone (4.1.3). A host name EHLO cannot take, or one without a dot,
// which Postfix's reject_non_fqdn_helo_hostname refuses, is not used.
func TestDefaultHello(t *testing.T) {
	v4 := &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 40000}
	for _, c := range []struct {
		hostname string
		local    net.Addr
		want     string
	}{
		{"mail.example.com", v4, "mail.example.com"},
		{"Mail.Example.com.", v4, "mail.example.com"},
		{"relay.bücher.example", v4, "relay.xn--bcher-kva.example"},
		{"3f2a9c1d7e4b", v4, "[192.0.2.7]"},
		{"localhost", v4, "[192.0.2.7]"},
		{"", v4, "[192.0.2.7]"},
		{"bad_name.example", v4, "[192.0.2.7]"},
		{"vm", &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7")}, "[192.0.2.7]"},
		{"vm", &net.TCPAddr{IP: net.ParseIP("2001:db8::7")}, "[IPv6:2001:db8::7]"},
		{"vm", &net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0"}, "[IPv6:fe80::1]"},
	} {
		assert.Equal(t, c.want, defaultHello(c.hostname, c.local), "%q %v", c.hostname, c.local)
	}
}
