package webhook

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A link-local address is where cloud metadata services answer
// (169.254.169.254, fd00:ec2::254): an endpoint there, from a subscriber
// list or a mistaken paste, would have the channel POST to a service that
// hands out the instance's credentials. New refuses one written as the host.
func TestNewRefusesLinkLocalAddress(t *testing.T) {
	for _, raw := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://169.254.170.2:80/v2/credentials",
		"http://[::ffff:169.254.169.254]/",
		"http://[fe80::1%25eth0]:8080/hook",
		"http://[fd00:ec2::254]/",
		"http://100.100.100.200/latest/meta-data/",
		// The IPv6 addresses of GCP's metadata server, of the EKS Pod
		// Identity Agent and of Scaleway's: unique local addresses, not
		// link-local ones.
		"http://[fd20:ce::254]/computeMetadata/v1/",
		"http://[fd00:ec2::23]/v1/credentials",
		"http://[fd00:42::42]/conf",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := New(Config{Endpoints: []Endpoint{{URL: redact.NewURL(raw), Secret: testSecret("a")}}})
			assert.EqualError(t, err, "webhook: Config.Endpoints[0].URL: "+linkLocalProblem)
		})
	}
	for _, raw := range []string{"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://[fd00::1]/hook", "https://hooks.example/"} {
		_, err := New(Config{URL: redact.NewURL(raw), Secret: testSecret("a")})
		assert.NoError(t, err, raw)
	}
}

// A name can resolve to a link-local address too: the channel's own client
// refuses to connect there, whatever the name, and the endpoint fails for
// good, not to be retried.
func TestDefaultClientRefusesLinkLocal(t *testing.T) {
	c, err := New(Config{URL: redact.NewURL("http://hooks.example/in"), Secret: testSecret("a")})
	require.NoError(t, err)
	defer c.Close()
	tr, ok := c.s.client.Transport.(*http.Transport)
	require.True(t, ok)
	for _, addr := range []string{"169.254.169.254:80", "[::ffff:169.254.169.254]:80", "[fe80::1]:443", "[fd00:ec2::254]:80",
		"[fd20:ce::254]:80", "[fd00:ec2::23]:80", "[fd00:42::42]:80"} {
		_, err := tr.DialContext(context.Background(), "tcp", addr)
		assert.ErrorIs(t, err, errLinkLocal, addr)
	}

	// Through Send: a proxy at such an address stands for a name that
	// resolves there (no lookup needed).
	tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: "169.254.169.254:80"})
	_, err = c.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating}))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "permanent: %v", err)
	assert.ErrorIs(t, err, errLinkLocal)
	assert.Contains(t, err.Error(), linkLocalProblem)
}

// Check fails such an endpoint as Send does: for good.
func TestCheckLinkLocalIsPermanent(t *testing.T) {
	c, err := New(Config{URL: redact.NewURL("http://hooks.example/in"), Secret: testSecret("a")})
	require.NoError(t, err)
	defer c.Close()
	tr, ok := c.s.client.Transport.(*http.Transport)
	require.True(t, ok)
	tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: "169.254.169.254:80"})
	err = c.Check(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, errLinkLocal)
	assert.True(t, broadcast.IsPermanent(err), "permanent: %v", err)
}
