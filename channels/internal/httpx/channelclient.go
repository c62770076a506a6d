package httpx

import (
	"context"
	"net/http"

	"github.com/outagecast/outagecast/broadcast"
)

// Client is the HTTP client a channel sends with, whether the channel made
// it, and the Close that ends the channel's requests. Only a client the
// channel made is the channel's to release: Close closes its idle
// connections, and leaves a client given in a Config alone. A Client of a
// given client is Client{Client: c}; made so, not by ChannelClient, Close
// ends none of its requests.
type Client struct {
	*http.Client
	own  bool
	shut *shutter
}

// shutter is what Close ends: every request of the Client, in flight or
// to come.
type shutter struct {
	ctx    context.Context
	cancel context.CancelFunc
	err    error // the channel's closed error (ClientOptions.Closed)

	flights flights // the requests in flight, which Close ends
}

// ErrClosed is wrapped by the error of a request that Close ended, or
// that was made after Close, of a Client whose ClientOptions name no
// Closed error of the channel's. It matches broadcast.ErrChannelClosed, as
// a channel's own closed error must (see ClientOptions.Closed).
var ErrClosed = broadcast.ClosedError("httpx: client closed")

// ChannelClient returns the client a channel sends with: a copy of c that
// follows no redirect and, when c has no Timeout, has opts.Timeout (default
// 15s), or NewClient(opts), the channel's own, when c is nil. A channel URL
// that redirects is misconfigured, and a redirect could take a request, and
// the credential in it, to another host; a request to an endpoint that
// never answers must not hang a Send called without a deadline. The copy
// leaves c itself as it was. Close ends the requests Do, DoStatus,
// DoStatusTimeout and DoStatusBuilt make with it, whoever made c.
func ChannelClient(c *http.Client, opts ClientOptions) Client {
	ctx, cancel := context.WithCancel(context.Background())
	shut := &shutter{ctx: ctx, cancel: cancel, err: opts.Closed}
	if shut.err == nil {
		shut.err = ErrClosed
	}
	if c == nil {
		return Client{Client: NewClient(opts), own: true, shut: shut}
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cp.Timeout <= 0 {
		cp.Timeout = opts.timeout()
	}
	return Client{Client: &cp, shut: shut}
}

// Own reports whether the channel made the client.
func (c Client) Own() bool { return c.own }

// Through returns c sending through hc, a client made of c's (one whose
// Transport signs each request and sends it through c's, say): Close of c
// ends its requests too. Its own Close closes no connection: they are c's.
func (c Client) Through(hc *http.Client) Client {
	c.Client, c.own = hc, false
	return c
}

// Close ends the requests in flight of a Client that ChannelClient made,
// as the end of their context would (each fails as Do says), and every
// later one fails at once with the channel's closed error
// (ClientOptions.Closed), marked broadcast.Permanent. It then closes the
// idle connections of a client the channel made, and does nothing to a
// given one. It ends the waits of Wait and Sleeper likewise. Calling it
// again does nothing more. It returns nil: a channel's Close can return
// it.
func (c Client) Close() error {
	if c.shut != nil {
		c.shut.cancel()
		c.shut.endFlights()
	}
	if c.own {
		c.CloseIdleConnections()
	}
	return nil
}
