package webhook

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
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

// A host that no DNS lookup can resolve, whatever the network (a typo such
// as "hooks,example.com", an empty label, a character DNS names do not
// hold even after the IDNA mapping net/http applies), is refused by New,
// naming the field: Send used to fail it as transient, "no such host", and
// retried it until the Broadcaster gave up. Names net/http dials as they
// are (an underscore), and Unicode names it sends in their ASCII form,
// are accepted.
func TestNewChecksHostName(t *testing.T) {
	for _, host := range []string{
		"hooks.example.com", "bücher.example", "ÉCOLE.example", "xn--bcher-kva.example",
		"internal_hooks.example", "hooks.example.com.", "localhost", "127.0.0.1", "[::1]",
		"[2001:db8::1]", "a-b.example", "1.example",
	} {
		t.Run(host, func(t *testing.T) {
			_, err := New(Config{URL: redact.NewURL("https://" + host + ":8443/in"), Secret: testSecret("a")})
			assert.NoError(t, err)
		})
	}
	for _, host := range []string{
		"hooks,example.com", "hooks!example.com", "hooks..example.com", ".hooks.example.com", ".",
		"-hooks.example.com", "hooks-.example.com", "hooks.example\u00a0.com", "ex<a>.com", "a*b.example",
		strings.Repeat("a", 64) + ".example",
	} {
		t.Run(host, func(t *testing.T) {
			_, err := New(Config{Endpoints: []Endpoint{{URL: redact.NewURL("https://" + host + "/in?t=tok3n"), Secret: testSecret("a")}}})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: Config.Endpoints[0].URL: host: "), err.Error())
			assert.NotContains(t, err.Error(), "tok3n")
		})
	}
}

// A password cut short by an unescaped "/" makes its user name the host:
// the error says how to write the password, not that the host is wrong.
func TestNewCutPasswordBeforeHostName(t *testing.T) {
	_, err := New(Config{URL: redact.NewURL("https://ops!team:7319/rest@hooks.example.com/in"), Secret: testSecret("a")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "webhook: Config.URL: port: followed by a path holding \"@\"")
}

// Two URLs of one receiver, differing only in the case of the host, its
// Unicode or ASCII form, a default port written out or an empty path
// (net/http sends "/" for it), are the same
// endpoint: each would get every update under a webhook-id of its own,
// which the receiver cannot tell for a repeat.
func TestNewRefusesTheSameEndpointWrittenTwice(t *testing.T) {
	for _, pair := range [][2]string{
		{"https://hooks.example.com/in", "https://Hooks.EXAMPLE.com/in"},
		{"https://hooks.example.com/in", "https://hooks.example.com:443/in"},
		{"http://hooks.example.com/in", "HTTP://hooks.example.com:80/in"},
		{"https://bücher.example/in", "https://xn--bcher-kva.example/in"},
		{"https://[2001:db8::1]/in", "https://[2001:DB8::1]:443/in"},
		{"https://hooks.example.com", "https://hooks.example.com/"},
	} {
		t.Run(pair[1], func(t *testing.T) {
			require.EqualError(t, newPair(pair), "webhook: Config.Endpoints[1].URL: same as Endpoints[0]")
		})
	}
	for _, pair := range [][2]string{
		{"https://hooks.example.com/in", "https://hooks.example.com/IN"},
		{"https://hooks.example.com/in", "http://hooks.example.com/in"},
		{"https://hooks.example.com/in", "https://hooks.example.com:8443/in"},
		{"https://a:b@hooks.example.com/in", "https://c:d@hooks.example.com/in"},
	} {
		t.Run(pair[1], func(t *testing.T) {
			require.NoError(t, newPair(pair))
		})
	}
}

// A fully qualified name ("hooks.example.com."), a port with leading
// zeros and an IPv4-mapped IPv6 address reach the receiver of the URL
// written without them (net/http dials them alike): two such endpoints
// got every update twice, under two webhook-ids. A single-label name
// written with its final "." is no other name either.
func TestNewRefusesTheSameEndpointFullyQualifiedOrZeroPadded(t *testing.T) {
	for _, pair := range [][2]string{
		{"https://hooks.example.com/in", "https://hooks.example.com./in"},
		{"https://hooks.example.com/in", "https://HOOKS.example.com.:443/in"},
		{"https://bücher.example/in", "https://bücher.example./in"},
		{"https://hooks.example.com:8443/in", "https://hooks.example.com:08443/in"},
		{"https://hooks.example.com/in", "https://hooks.example.com:0443/in"},
		{"http://127.0.0.1:8090/in", "http://[::ffff:127.0.0.1]:8090/in"},
		{"http://receiver:8090/in", "http://receiver.:8090/in"},
	} {
		t.Run(pair[1], func(t *testing.T) {
			require.EqualError(t, newPair(pair), "webhook: Config.Endpoints[1].URL: same as Endpoints[0]")
		})
	}
	// Another port, and another address, stay other endpoints.
	for _, pair := range [][2]string{
		{"https://hooks.example.com:8443/in", "https://hooks.example.com:844/in"},
		{"http://127.0.0.1:8090/in", "http://[::1]:8090/in"},
		{"https://hooks.example.com/in", "https://hooks.example.co/in"},
	} {
		t.Run(pair[1], func(t *testing.T) {
			require.NoError(t, newPair(pair))
		})
	}
}

// newPair is New's error for a Config of the two endpoints at pair's URLs.
func newPair(pair [2]string) error {
	_, err := New(Config{Endpoints: []Endpoint{
		{URL: redact.NewURL(pair[0]), Secret: testSecret("a")},
		{URL: redact.NewURL(pair[1]), Secret: testSecret("b")},
	}})
	return err
}
