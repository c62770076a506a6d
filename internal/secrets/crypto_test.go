package secrets

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// The public URLs of a client certificate (its CRL, OCSP and issuer
// addresses, filled in by tls.X509KeyPair) are not taken for URLs that may
// hold credentials: a channel name sharing a segment of one is accepted,
// where it was refused as holding a secret of Config.TLSConfig.
func TestCertificateURLsAreNoSecrets(t *testing.T) {
	leaf := &x509.Certificate{
		OCSPServer:            []string{"http://ocsp.example.com/ocsp-status-feed"},
		CRLDistributionPoints: []string{"http://crl.example.com/ocsp-status-feed.crl"},
	}
	cfg := struct {
		Password  redact.Secret
		TLSConfig *tls.Config
	}{Password: redact.NewSecret("hunter2-long"), TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Leaf: leaf}}}}
	assert.NoError(t, CheckName("ocsp-status-feed", cfg, nil))
	assert.Empty(t, Find(cfg).Texts)
	assert.Error(t, CheckName("ops-hunter2-long", cfg, nil), "the Config's own secrets still count")
}
