package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/holdtest"
)

var errTestClosed = errors.New("test: channel closed")

// sender is one of the ways a channel sends a request.
type sender struct {
	name string
	send func(c Client, u string) (*Response, error)
}

func senders() []sender {
	req := func(u string) *http.Request {
		r, err := NewRequest(context.Background(), http.MethodPost, u, []byte(`{"a":1}`), "application/json")
		if err != nil {
			panic(err)
		}
		return r
	}
	return []sender{
		{"Do", func(c Client, u string) (*Response, error) { return Do(c, req(u), 0, nil) }},
		{"DoStatus", func(c Client, u string) (*Response, error) { return DoStatus(c, req(u), 0, 0, nil) }},
		{"DoStatusTimeout", func(c Client, u string) (*Response, error) {
			return DoStatusTimeout(c, req(u), 0, 0, DefaultTimeout, nil)
		}},
		{"DoStatusBuilt", func(c Client, u string) (*Response, error) {
			return DoStatusBuilt(c, context.Background(), func(ctx context.Context) (*http.Request, error) {
				return NewRequest(ctx, http.MethodPost, u, []byte(`{"a":1}`), "application/json")
			}, 0, 0, 0, nil)
		}},
	}
}

// inBackground runs send and returns its error on the channel.
func inBackground(s sender, c Client, u string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.send(c, u)
		done <- err
	}()
	return done
}

// stalling is a server that holds each request (see holdtest), and says
// so on got; with headers, it sends a 200's headers and the start of its
// body first.
func stalling(t *testing.T, headers bool) (*httptest.Server, <-chan struct{}) {
	h := holdtest.New(t)
	h.Begin = headers
	return h.Serve(t), h.Arrived()
}

// Close ends a request in flight at once, not at the client's timeout:
// written and not answered, it fails with the channel's closed error,
// permanent (the channel will not send it again) and Uncertain (the
// server may have acted on it).
func TestCloseEndsRequestInFlight(t *testing.T) {
	for _, s := range senders() {
		t.Run(s.name, func(t *testing.T) {
			srv, got := stalling(t, false)
			c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
			done := inBackground(s, c, srv.URL)
			<-got
			require.NoError(t, c.Close())
			err := <-done
			require.Error(t, err)
			assert.ErrorIs(t, err, errTestClosed)
			assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			assert.Truef(t, broadcast.IsUncertain(err), "IsUncertain(%q): the request was written", err)
			require.NoError(t, c.Close(), "Close again")
		})
	}
}

// A GET that Close ends, written or not, fails permanent and not
// Uncertain: a GET posts nothing, wherever it reached.
func TestCloseEndsGetNotUncertain(t *testing.T) {
	for _, headers := range []bool{false, true} {
		srv, got := stalling(t, headers)
		c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
		done := make(chan error, 1)
		go func() {
			_, err := Do(c, mustRequest(t, srv.URL), 0, nil)
			done <- err
		}()
		<-got
		require.NoError(t, c.Close())
		err := <-done
		assert.ErrorIs(t, err, errTestClosed)
		assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
		assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): a GET", err)
	}
}

// A 2xx whose body Close cuts is an error of Do, permanent and Uncertain:
// the server took the request.
func TestCloseCutsBodyOfDo(t *testing.T) {
	srv, got := stalling(t, true)
	c := ChannelClient(&http.Client{Transport: &http.Transport{}}, ClientOptions{Closed: errTestClosed})
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	done := inBackground(senders()[0], c, srv.URL)
	<-got
	require.NoError(t, c.Close())
	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Truef(t, broadcast.IsUncertain(err), "IsUncertain(%q): the server answered 200", err)
}

// A request made after Close is not sent, and fails with the channel's
// closed error, permanent and not Uncertain: nothing reached the server.
func TestRequestAfterCloseNotSent(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, s := range senders() {
		c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
		require.NoError(t, c.Close())
		_, err := s.send(c, srv.URL)
		require.Errorf(t, err, "%s", s.name)
		assert.ErrorIsf(t, err, errTestClosed, "%s", s.name)
		assert.Truef(t, broadcast.IsPermanent(err), "%s: IsPermanent(%q)", s.name, err)
		assert.Falsef(t, broadcast.IsUncertain(err), "%s: IsUncertain(%q): nothing was sent", s.name, err)
	}
	assert.Zero(t, hits.Load(), "requests sent after Close")

	c := ChannelClient(nil, ClientOptions{})
	require.NoError(t, c.Close())
	_, err := Do(c, mustRequest(t, srv.URL), 0, nil)
	assert.ErrorIs(t, err, ErrClosed, "the default closed error")
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := NewRequest(context.Background(), http.MethodGet, u, nil, "")
	require.NoError(t, err)
	return req
}

// A request Close ends before it was written (here, while its connection
// is being dialled) fails permanent and not Uncertain: the server never
// saw it. Through a Transport other than net/http's, which does not say
// what it wrote, it is Uncertain.
func TestCloseBeforeWritten(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	dialling := make(chan struct{}, 1)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		dialling <- struct{}{}
		select {
		case <-ctx.Done():
		case <-release:
		}
		return nil, errors.New("no connection")
	}}
	for _, s := range senders() {
		c := ChannelClient(&http.Client{Transport: tr}, ClientOptions{Closed: errTestClosed})
		done := inBackground(s, c, "http://example.invalid/hook")
		<-dialling
		require.NoError(t, c.Close())
		err := <-done
		require.Errorf(t, err, "%s", s.name)
		assert.ErrorIsf(t, err, errTestClosed, "%s", s.name)
		assert.Truef(t, broadcast.IsPermanent(err), "%s: IsPermanent(%q)", s.name, err)
		assert.Falsef(t, broadcast.IsUncertain(err), "%s: IsUncertain(%q): nothing was written", s.name, err)

		c = ChannelClient(&http.Client{Transport: blockingTransport{dialling}}, ClientOptions{Closed: errTestClosed})
		done = inBackground(s, c, "http://example.invalid/hook")
		<-dialling
		require.NoError(t, c.Close())
		err = <-done
		assert.ErrorIsf(t, err, errTestClosed, "%s", s.name)
		assert.Truef(t, broadcast.IsPermanent(err), "%s: IsPermanent(%q)", s.name, err)
		assert.Truef(t, broadcast.IsUncertain(err), "%s: IsUncertain(%q): another Transport may have sent it",
			s.name, err)
	}
}

// blockingTransport says on started that it has the request, and waits
// for its context to end.
type blockingTransport struct{ started chan<- struct{} }

func (b blockingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b.started <- struct{}{}
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// Close of a Client made of a given client, not by ChannelClient, ends
// none of its requests: the client is the caller's.
func TestLiteralClientCloseEndsNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c := Client{Client: hc}
	require.NoError(t, c.Close())
	resp, err := Do(c, mustRequest(t, srv.URL), 0, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.Status)
}
