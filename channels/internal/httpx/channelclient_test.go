package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's client never follows a redirect, whether it is its own or a
// copy of the one it was given, which stays as it was.
func TestChannelClient(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the redirect was followed")
	}))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()

	given := &http.Client{Timeout: 7 * time.Second}
	mine, own := ChannelClient(nil, ClientOptions{})
	defer mine.CloseIdleConnections()
	assert.True(t, own)
	copied, own := ChannelClient(given, ClientOptions{})
	assert.False(t, own)
	assert.NotSame(t, given, copied)
	assert.Equal(t, 7*time.Second, copied.Timeout)
	assert.Nil(t, given.CheckRedirect, "the given client is not modified")

	for _, c := range []*http.Client{mine, copied} {
		resp, err := c.Get(redirect.URL)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}
