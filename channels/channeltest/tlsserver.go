package channeltest

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
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func untrustedTLSRule() rule {
	return rule{name: "UntrustedTLSServerRefused", check: checkUntrustedTLS, needs: needsTLS,
		rule: "a server speaking TLS with a certificate the channel does not trust fails Send (and Check, " +
			"for a Checker) at once and for good, says the certificate did not verify, reaches no target, " +
			"and quotes no secret, unless the Config says to skip the verification, when the same server gets the update"}
}

func needsTLS(s subject) string {
	if s.h.TLS != nil {
		return ""
	}
	return "Harness.TLS is nil"
}

// untrustedTLSConfig is a server's TLS configuration with a self-signed
// certificate for localhost, 127.0.0.1 and ::1, which no client trusts.
func untrustedTLSConfig(s *suite) *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(s.t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "channeltest untrusted server"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(s.t, err)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion: tls.VersionTLS12}
}

// A certificate that does not verify fails every call for good, as for
// UntrustedCertificateIsPermanent, also where the channel speaks its own
// protocol over TLS (SMTP, IRC); Config's skip of the verification, which
// a user sets for a server with a self-signed certificate, must let the
// same server through, or the user has no way to reach it.
func checkUntrustedTLS(s *suite) {
	server := untrustedTLSConfig(s)
	ch, be := s.h.TLS(s.t, server.Clone(), false)
	require.Falsef(s.t, ch == nil || be == nil, "channeltest: Harness.TLS returned a nil Channel or Backend")
	refusesUntrusted(s, ch)
	assert.Empty(s.t, be.Received(), "posts the back end accepted over a handshake that failed")

	ch, be = s.h.TLS(s.t, server.Clone(), true)
	require.Falsef(s.t, ch == nil || be == nil, "channeltest: Harness.TLS returned a nil Channel or Backend")
	_, err := s.do(context.Background(), "Send", sendLimit, sendOf(ch, message(update(1))))
	assert.NoErrorf(s.t, err, "Send to the same server with the Config skipping the verification of its certificate")
	assert.Lenf(s.t, be.Received(), s.perSend(), "posts the back end accepted with the Config skipping the verification")
}
