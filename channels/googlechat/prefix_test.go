package googlechat

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// refusingTransport fails every request as a refused connection does.
type refusingTransport struct{}

func (refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp 192.0.2.1:443: connect: connection refused")
}

// Every error names the package and the operation once. The error of a
// request that got no answer already names its method, "post: dial tcp
// …" (the URL, which holds the key and the token, is left out): before,
// it read "googlechat: post: post: dial tcp …".
func TestTransportErrorNamesPostOnce(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: refusingTransport{}} })
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "googlechat: post: dial tcp 192.0.2.1:443: connect: connection refused")
}
