package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A User-Agent given an empty value is left out of the requests, as
// net/http leaves out an empty one: the one header whose empty value
// means something, which New accepts.
func TestEmptyUserAgentLeftOut(t *testing.T) {
	got := make(chan []string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Values("User-Agent")
	}))
	defer srv.Close()
	ch, err := New(Config{URL: redact.NewURL(srv.URL), Secret: testSecret("a"),
		Headers: map[string]redact.Secret{"User-Agent": redact.NewSecret("")}})
	require.NoError(t, err)
	defer ch.Close()
	_, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, <-got)
}
