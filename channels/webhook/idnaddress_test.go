package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A host written in full-width digits, or with ideographic full stops,
// is an IP address once in the ASCII form net/http dials (the IDNA
// mapping): "http://１６９.２５４.１６９.２５４/" posts to
// 169.254.169.254. New refused the address in ASCII only, so with a
// client given in Config.HTTPClient (no dialer of the channel's to
// refuse it) the payload went to the metadata service.
func TestNewRefusesLinkLocalAddressInUnicode(t *testing.T) {
	for _, raw := range []string{
		"http://１６９.２５４.１６９.２５４/latest/meta-data/",
		"http://169。254。169。254/latest/meta-data/",
		"http://１００.１００.１００.２００/",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := New(Config{Endpoints: []Endpoint{{URL: redact.NewURL(raw), Secret: testSecret("a")}}})
			assert.EqualError(t, err, "webhook: Config.Endpoints[0].URL: "+linkLocalProblem)
		})
	}
	_, err := New(Config{URL: redact.NewURL("http://１２７.０.０.１:8080/hook"), Secret: testSecret("a")})
	assert.NoError(t, err, "a loopback address in full-width digits is an address like another")
}

// What the test above guards against: net/http dials such a host as the
// IP address it maps to.
func TestUnicodeDigitsHostDialedAsAddress(t *testing.T) {
	var mu sync.Mutex
	var dialed []string
	refused := errors.New("not dialed")
	client := &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		return nil, refused
	}}}
	c, err := New(Config{URL: redact.NewURL("http://１２７.０.０.１:8080/hook"), Secret: testSecret("a"), HTTPClient: client})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.Equal(t, []string{"127.0.0.1:8080"}, dialed)
}
