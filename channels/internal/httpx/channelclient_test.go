package httpx

import (
	"context"
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
	mine := ChannelClient(nil, ClientOptions{})
	defer func() { assert.NoError(t, mine.Close()) }()
	assert.True(t, mine.Own())
	copied := ChannelClient(given, ClientOptions{})
	assert.False(t, copied.Own())
	assert.NotSame(t, given, copied.Client)
	assert.Equal(t, 7*time.Second, copied.Timeout)
	assert.Nil(t, given.CheckRedirect, "the given client is not modified")

	for _, c := range []Client{mine, copied} {
		resp, err := c.Get(redirect.URL)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// Close releases the connections of the channel's own client only.
func TestClientClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	idle := func(c Client) *closeCounter {
		ct := &closeCounter{RoundTripper: http.DefaultTransport}
		c.Transport = ct
		return ct
	}
	own := ChannelClient(nil, ClientOptions{})
	given := Client{Client: &http.Client{}}
	ownT, givenT := idle(own), idle(given)
	require.NoError(t, own.Close())
	require.NoError(t, given.Close())
	assert.Equal(t, 1, ownT.closed, "the channel's own client is released")
	assert.Zero(t, givenT.closed, "a given client is left alone")
	assert.False(t, given.Own())
}

// closeCounter is a transport that counts its CloseIdleConnections calls.
type closeCounter struct {
	http.RoundTripper
	closed int
}

func (t *closeCounter) CloseIdleConnections() { t.closed++ }

// A given client without a Timeout gets the channel's: a request to an
// endpoint that never answers ends, even under a context without a
// deadline, and the given client keeps its own zero Timeout.
func TestChannelClientBoundsAGivenClientWithoutATimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)

	given := &http.Client{Transport: &http.Transport{}}
	defer given.CloseIdleConnections()
	c := ChannelClient(given, ClientOptions{Timeout: 50 * time.Millisecond})
	assert.Equal(t, 50*time.Millisecond, c.Timeout)
	assert.Zero(t, given.Timeout, "the given client is not modified")
	assert.Equal(t, DefaultTimeout, ChannelClient(given, ClientOptions{}).Timeout)

	req, err := NewRequest(context.Background(), http.MethodPost, srv.URL, []byte("{}"), "application/json")
	require.NoError(t, err)
	_, err = DoStatus(c, req, 0, 0, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
