package irc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// newCert returns a self-signed certificate for name, valid for the
// loopback address too.
func newCert(t *testing.T, name string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, cert
}

// externalSetup returns a fake server speaking TLS with SASL accounts
// accounts, and the Config of a bot that logs in with SASL EXTERNAL as
// the holder of a certificate for client.
func externalSetup(t *testing.T, opts fakeOptions, client string) (*fakeServer, irc.Config) {
	t.Helper()
	serverCert, serverLeaf := newCert(t, "fake.test")
	clientCert, _ := newCert(t, client)
	opts.tls = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequestClientCert}
	srv := newFakeServer(t, opts)
	roots := x509.NewCertPool()
	roots.AddCert(serverLeaf)
	cfg := testConfig(srv.addr())
	cfg.TLS, cfg.SASLExternal = irc.TLSOn, true
	cfg.TLSConfig = &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{clientCert}}
	return srv, cfg
}

// SASL EXTERNAL logs in with the TLS client certificate: the bot asks for
// the mechanism and answers the server's "+" with an empty response ("+"),
// naming no other identity.
func TestSASLExternal(t *testing.T) {
	srv, cfg := externalSetup(t, fakeOptions{sasl: map[string]string{"statusbot": ""},
		modes: map[string]string{"#ops": "R"}}, "statusbot")
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"CAP REQ sasl", "CAP END"}, srv.commands("CAP REQ", "CAP END"))
	assert.Equal(t, []string{"AUTHENTICATE EXTERNAL", "AUTHENTICATE +"}, srv.commands("AUTHENTICATE"))
	assert.Len(t, srv.saidIn("#ops"), 1, "logged in, the bot may join a channel for registered nicks")
	require.NoError(t, ch.Check(context.Background()))
}

func TestSASLExternalFailures(t *testing.T) {
	tests := []struct {
		name      string
		opts      fakeOptions
		client    string
		want      string
		permanent bool
	}{
		{name: "certificate of no account", opts: fakeOptions{sasl: map[string]string{"statusbot": ""}},
			client: "stranger", want: "irc: register: SASL: 904 SASL authentication failed", permanent: true},
		{name: "server without EXTERNAL", opts: fakeOptions{sasl: map[string]string{"statusbot": ""}, saslMechs: "PLAIN"},
			client: "statusbot", want: "irc: register: SASL: the server does not offer SASL EXTERNAL", permanent: true},
		{name: "server without SASL", client: "statusbot",
			want: "irc: register: SASL: the server does not offer SASL now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := externalSetup(t, tt.opts, tt.client)
			err := newChannel(t, cfg).Check(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
		})
	}
}
