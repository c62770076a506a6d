package channeltest_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// tlsBackend is an HTTPS server with the TLS configuration the suite
// hands Harness.TLS, which keeps the title of every post.
type tlsBackend struct {
	mu    sync.Mutex
	posts []channeltest.Delivery
}

func (b *tlsBackend) Received() []channeltest.Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]channeltest.Delivery(nil), b.posts...)
}

func (b *tlsBackend) Fail(channeltest.Failure) {}

// tlsChat is Harness.TLS for an httpsChat whose client skips the
// verification of the server's certificate as the Config's skipVerify
// says, or, broken, always (skip "always") or never (skip "never").
func tlsChat(skip string) func(t *testing.T, server *tls.Config, skipVerify bool) (broadcast.Channel, channeltest.Backend) {
	return func(t *testing.T, server *tls.Config, skipVerify bool) (broadcast.Channel, channeltest.Backend) {
		be := &tlsBackend{}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				title, _ := io.ReadAll(r.Body)
				be.mu.Lock()
				be.posts = append(be.posts, channeltest.Delivery{Text: string(title), Parts: []string{string(title)}})
				be.mu.Unlock()
			}
		}))
		srv.TLS = server
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // each refused handshake is logged
		srv.StartTLS()
		t.Cleanup(srv.Close)
		switch skip {
		case "always":
			skipVerify = true
		case "never":
			skipVerify = false
		}
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: skipVerify}} //nolint:gosec // the rule's point
		c := &httpsChat{name: "ops-chat", url: srv.URL, token: chatToken, client: &http.Client{Transport: tr}, permanent: true}
		t.Cleanup(tr.CloseIdleConnections)
		return c, be
	}
}

// tlsTrusting gives the chat harness a TLS whose channel skips the
// verification of certificates whatever its Config says.
func tlsTrusting() channeltest.Harness {
	h := chatHarness()
	h.TLS = tlsChat("always")
	return h
}

// tlsNeverSkipping gives the chat harness a TLS whose channel verifies
// certificates whatever its Config says.
func tlsNeverSkipping() channeltest.Harness {
	h := chatHarness()
	h.TLS = tlsChat("never")
	return h
}
