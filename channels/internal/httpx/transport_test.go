package httpx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// sendAll makes the same request with Do, DoStatus and DoStatusTimeout,
// and returns their errors by name.
func sendAll(t *testing.T, hc *http.Client, u string, rs Redactor) map[string]error {
	t.Helper()
	c := Client{Client: hc}
	errs := map[string]error{}
	for name, do := range map[string]func(*http.Request) (*Response, error){
		"Do":              func(r *http.Request) (*Response, error) { return Do(c, r, 0, rs) },
		"DoStatus":        func(r *http.Request) (*Response, error) { return DoStatus(c, r, 0, 0, rs) },
		"DoStatusTimeout": func(r *http.Request) (*Response, error) { return DoStatusTimeout(c, r, 0, 0, 5*time.Second, rs) },
	} {
		req, err := NewRequest(context.Background(), http.MethodPost, u, []byte("{}"), "application/json")
		require.NoError(t, err)
		resp, err := do(req)
		require.Error(t, err, name)
		require.Nil(t, resp, name)
		errs[name] = err
	}
	return errs
}

// listen returns the address of a loopback listener that answers every
// connection with greeting (nothing: it closes it at once), for as long
// as the test runs.
func listen(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, greeting)
			_ = c.Close()
		}
	}()
	return ln.Addr().String()
}

// A TLS failure no retry can fix is permanent in every request path: a
// certificate that does not verify (crypto/tls wraps every verification
// failure, unknown authority, expiry or another host's name, in
// *tls.CertificateVerificationError: Go's crypto/tls handshake_client.go),
// or a port that does not speak TLS (tls.RecordHeaderError, and
// http.ErrSchemeMismatch, net/http's error for an HTTP answer to a TLS
// hello: net/http client.go). Retrying them for the Broadcaster's ten
// minutes would only delay the operator's fix; the e-mail and IRC channels
// fail them at once already.
func TestTLSFailuresArePermanent(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are logged
	srv.StartTLS()
	t.Cleanup(srv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	trusted := newTestClient(t)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	trusted.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool}
	expired, expiredPool := expiredServer(t)
	trustsExpired := newTestClient(t)
	trustsExpired.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: expiredPool}

	tests := []struct {
		name   string
		client *http.Client
		url    string
		text   string
	}{
		{"unknown authority", newTestClient(t), srv.URL + "/hook", "signed by unknown authority"},
		// httptest's certificate names example.com, *.example.com and loopback IPs.
		{"another host's certificate", trusted, "https://localhost:" + port + "/hook", "not localhost"},
		{"expired certificate", trustsExpired, expired.URL + "/hook", "expired"},
		{"plain HTTP on the port", newTestClient(t), strings.Replace(plain.URL, "http:", "https:", 1), "HTTP response to HTTPS client"},
		{"not TLS nor HTTP on the port", newTestClient(t), "https://" + listen(t, "SSH-2.0-OpenSSH_9.6\r\n"), "does not look like a TLS handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, err := range sendAll(t, tt.client, tt.url, nil) {
				assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
				assert.True(t, PermanentTLS(err), "%s: %v", name, err)
				assert.Contains(t, err.Error(), tt.text, name)
				var ue *url.Error
				assert.ErrorAs(t, err, &ue, name)
			}
		})
	}
}

// A connection the server closes during the handshake is no certificate's
// fault: it stays transient.
func TestBrokenHandshakeIsTransient(t *testing.T) {
	for name, err := range sendAll(t, newTestClient(t), "https://"+listen(t, ""), nil) {
		assert.False(t, broadcast.IsPermanent(err), "%s: %v", name, err)
		assert.False(t, PermanentTLS(err), "%s: %v", name, err)
	}
}

func TestPermanentTLS(t *testing.T) {
	verify := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	tests := []struct {
		err  error
		want bool
	}{
		{verify, true},
		{fmt.Errorf("TLS: %w", verify), true},
		{&url.Error{Op: "Post", URL: "https://h.example", Err: verify}, true},
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, true},
		{http.ErrSchemeMismatch, true},
		{io.EOF, false},
		{&net.OpError{Op: "remote error", Err: errors.New("tls: access denied")}, false},
		{context.DeadlineExceeded, false},
		{nil, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, PermanentTLS(tt.err), "%v", tt.err)
	}
}

// Every transport error is a *url.Error (errors.As finds it, whichever
// channel made the request) whose URL shows no secret. Its text names the
// URL as redact.ShowURL shows it, unless the URL holds one of the
// request's secrets, as a Slack, Discord, Teams or Google Chat webhook URL
// does, being the credential itself: then the text names the method alone.
func TestTransportErrorText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	hook := "http://" + addr + "/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"

	tests := []struct {
		name   string
		url    string
		rs     Redactor
		prefix string
	}{
		{"no secret in the URL", "http://" + addr + "/api/chat.postMessage",
			redact.NewRedactor(redact.NewSecret("xoxb-token")), `Post "http://` + addr + `/…": `},
		{"no Redactor", hook, nil, `Post "http://` + addr + `/…": `},
		{"the URL is the secret", hook, redact.NewRedactor().WithURL(redact.NewURL(hook)), "post: "},
		{"a secret in the path", hook, redact.NewRedactor(redact.NewSecret("XXXXXXXXXXXXXXXXXXXXXXXX")), "post: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, err := range sendAll(t, newTestClient(t), tt.url, tt.rs) {
				assert.True(t, strings.HasPrefix(err.Error(), tt.prefix), "%s: %v", name, err)
				assert.NotContains(t, err.Error(), "XXXXXXXX", name)
				assert.False(t, broadcast.IsPermanent(err), name)
				var ue *url.Error
				require.ErrorAs(t, err, &ue, name)
				assert.Equal(t, "http://"+addr+"/…", ue.URL, name)
				var ne net.Error
				assert.ErrorAs(t, err, &ne, "%s: the cause stays inspectable", name)
			}
		})
	}
}

// expiredServer returns a TLS server whose self-signed certificate, for
// 127.0.0.1, expired an hour ago, and a pool that trusts it.
func expiredServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "expired"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return srv, pool
}

// Op names the operation once: a transport error of a secret URL already
// starts with its method, which is the operation of a post or a deletion;
// every other error gets the operation before it, and stays in the chain.
func TestOp(t *testing.T) {
	cause := &url.Error{Op: "Post", URL: "https://hooks.example/…", Err: errors.New("connection refused")}
	hidden := broadcast.Permanent(&urlHidden{cause})
	for _, tt := range []struct {
		op   string
		err  error
		want string
	}{
		{"post", hidden, "post: connection refused"},
		{"edit", hidden, "edit: post: connection refused"},
		{"post", errors.New("http status 400 Bad Request"), "post: http status 400 Bad Request"},
		{"post", errors.New("postpone: x"), "post: postpone: x"},
		{"post", cause, `post: Post "https://hooks.example/…": connection refused`},
	} {
		err := Op(tt.op, tt.err)
		assert.EqualError(t, err, tt.want)
		assert.ErrorIs(t, err, tt.err)
		assert.Equal(t, broadcast.IsPermanent(tt.err), broadcast.IsPermanent(err), tt.want)
	}
	assert.NoError(t, Op("post", nil))
}
