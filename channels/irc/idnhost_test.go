package irc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// A certificate names an international host in its ASCII form (RFC 5890
// A-labels, as DNS holds it): a TLSConfig.ServerName written in Unicode
// is verified so, where the handshake failed for good ("certificate is
// valid for irc.xn--bcher-kva.example, not irc.bücher.example").
func TestTLSServerNameInternational(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{"irc.xn--bcher-kva.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	srv := newFakeServer(t, fakeOptions{tls: &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}},
	}})
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	cfg := testConfig(srv.addr())
	cfg.TLS = irc.TLSOn
	cfg.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "irc.bücher.example"}
	ch := newChannel(t, cfg)
	_, err = ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Len(t, srv.saidIn("#ops"), 1)
}

// A host name with no ASCII form no lookup can resolve: New refuses it,
// naming Config.Server, where every Send failed as a transient "no such
// host" until its attempts ran out.
func TestNewRefusesHostWithoutASCIIForm(t *testing.T) {
	cfg := testConfig("\u0301\u00e9.example:6697") // a label may not start with a combining mark
	_, err := irc.New(cfg)
	require.EqualError(t, err, "irc: Config.Server: host: an international name with no ASCII form (IDNA A-labels), which no lookup can resolve")

	cfg = testConfig("127.0.0.1:6697")
	cfg.TLS, cfg.TLSConfig = irc.TLSOn, &tls.Config{ServerName: "\u0301\u00e9.example"}
	_, err = irc.New(cfg)
	require.EqualError(t, err, "irc: Config.TLSConfig: ServerName: an international name with no ASCII form (IDNA A-labels), which no certificate can name")
}
