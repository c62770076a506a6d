package webhook

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An endpoint on an internationalised host name is checked at the address
// a Send connects to: the host's ASCII form (RFC 5890 A-label), which
// net/http dials and sends as the TLS server name (RFC 6066 section 3:
// server_name holds the A-label). Check dialed the Unicode name, which DNS
// does not resolve, and so reported a working endpoint unreachable.
func TestCheckInternationalHost(t *testing.T) {
	for _, tc := range []struct {
		scheme string
		secure bool
		addr   string
	}{
		{"http", false, "xn--bcher-kva.example:80"},
		{"https", true, "xn--bcher-kva.example:443"},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			srv := newCountingServer(t, tc.secure)
			var mu sync.Mutex
			var dialed, names []string
			var d net.Dialer
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				mu.Lock()
				dialed = append(dialed, addr)
				mu.Unlock()
				return d.DialContext(ctx, network, srv.Listener.Addr().String())
			}}
			if tc.secure {
				tr.TLSClientConfig = &tls.Config{
					InsecureSkipVerify: true, // the test server's certificate names another host
					VerifyConnection: func(cs tls.ConnectionState) error {
						mu.Lock()
						names = append(names, cs.ServerName)
						mu.Unlock()
						return nil
					},
				}
			}
			ch := newCheckChannel(t, &http.Client{Transport: tr}, tc.scheme+"://bücher.example/in")

			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.NoError(t, err)
			require.NoError(t, ch.Check(context.Background()))
			assert.Equal(t, []string{tc.addr, tc.addr}, dialed, "Send, then Check")
			if tc.secure {
				assert.Equal(t, []string{"xn--bcher-kva.example", "xn--bcher-kva.example"}, names,
					"TLS server name of Send, then Check")
			}
		})
	}
}
