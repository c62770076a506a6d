package config_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// writeCert writes a self-signed certificate for name (also valid for
// 127.0.0.1) and its key to dir as name.pem and name.key, and returns it.
func writeCert(t *testing.T, dir, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".pem"), certPEM, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".key"), keyPEM, 0o600))
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return cert
}

// An IRC channel with client_cert and client_key presents that certificate
// in its TLS handshake, which sasl_external logs in by.
func TestIRCClientCertificate(t *testing.T) {
	dir := t.TempDir()
	serverCert := writeCert(t, dir, "server")
	writeCert(t, dir, "bot")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{serverCert},
		ClientAuth: tls.RequireAnyClientCert, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer ln.Close()
	presented := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			presented <- ""
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil || len(tc.ConnectionState().PeerCertificates) == 0 {
			presented <- ""
			return
		}
		presented <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
	}()

	cfg, err := parseIn(dir, "channels:\n  - type: irc\n    server: "+ln.Addr().String()+
		"\n    nick: status\n    channels: ['#ops']\n    ca_file: server.pem\n    sasl_external: true\n"+
		"    client_cert: bot.pem\n    client_key: bot.key\n    timeout: 2s\n", config.Loader{LookupEnv: env(nil)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = cfg.Channels[0].(broadcast.Checker).Check(ctx) // the server hangs up after the handshake
	select {
	case name := <-presented:
		assert.Equal(t, "bot", name, "the bot's certificate was presented")
	case <-ctx.Done():
		t.Fatal("the channel never connected")
	}
	for _, ch := range cfg.Channels {
		if c, ok := ch.(interface{ Close() error }); ok {
			assert.NoError(t, c.Close())
		}
	}
}

func TestIRCClientCertificateErrors(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("junk"), 0o600))
	base := "channels:\n  - type: irc\n    server: irc.example.com:6697\n    nick: status\n    channels: ['#ops']\n"
	for _, c := range []struct{ lines, want string }{
		{"    sasl_external: true\n", "client_cert: missing (sasl_external"},
		{"    client_key: bot.key\n", "client_cert: missing (client_key is set)"},
		{"    client_cert: bot.pem\n", "client_key: missing (client_cert is set)"},
		{"    client_cert: junk.pem\n    client_key: bot.key\n", "client_cert: "},
		{"    client_cert: nope.pem\n    client_key: bot.key\n", "client_cert: stat "},
		{"    client_cert: bot.pem\n    client_key: nope.key\n", "client_key: stat "},
		{"    tls: off\n    server: 127.0.0.1:6667\n    client_cert: bot.pem\n    client_key: bot.key\n", "client_cert: set, but tls is false"},
	} {
		yaml := base + c.lines
		if strings.Contains(c.lines, "server:") {
			yaml = strings.Replace(base, "    server: irc.example.com:6697\n", "", 1) + c.lines
		}
		_, err := parseIn(dir, yaml, config.Loader{LookupEnv: env(nil)})
		assert.ErrorContains(t, err, c.want, c.lines)
	}
	// Without any of them, the channel is what it was.
	_, err := parseIn(dir, base, config.Loader{LookupEnv: env(nil)})
	assert.NoError(t, err)
}

// client_cert and client_key name files; a key pasted in their place, in
// the file or from the environment, is not quoted by the error that it
// names no file, which would print the private key.
func TestIRCClientKeyPastedNotQuoted(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	keyPEM, err := os.ReadFile(filepath.Join(dir, "bot.key"))
	require.NoError(t, err)
	body := strings.Split(string(keyPEM), "\n")[1] // a line of the key's base64
	base := "channels:\n  - type: irc\n    server: irc.example.com:6697\n    nick: status\n    channels: ['#ops']\n    client_cert: bot.pem\n"
	indented := "    client_key: |\n      " + strings.ReplaceAll(strings.TrimSpace(string(keyPEM)), "\n", "\n      ") + "\n"
	for name, c := range map[string]struct {
		yaml string
		env  map[string]string
	}{
		"in the file":          {base + indented, nil},
		"from the environment": {base + "    client_key: ${IRC_KEY}\n", map[string]string{"IRC_KEY": string(keyPEM)}},
		"on one line":          {base + "    client_key: " + strings.ReplaceAll(strings.TrimSpace(string(keyPEM)), "\n", " ") + "\n", nil},
	} {
		_, err := parseIn(dir, c.yaml, config.Loader{LookupEnv: env(c.env)})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "client_key: ", name)
		assert.NotContains(t, err.Error(), body[:40], name)
	}
}
