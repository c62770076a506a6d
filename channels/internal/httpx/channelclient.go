package httpx

import "net/http"

// Client is the HTTP client a channel sends with, and whether the channel
// made it. Only a client the channel made is the channel's to release:
// Close closes its idle connections, and leaves a client given in a Config
// alone. A Client of a given client is Client{Client: c}.
type Client struct {
	*http.Client
	own bool
}

// ChannelClient returns the client a channel sends with: a copy of c that
// follows no redirect and, when c has no Timeout, has opts.Timeout (default
// 15s), or NewClient(opts), the channel's own, when c is nil. A channel URL
// that redirects is misconfigured, and a redirect could take a request, and
// the credential in it, to another host; a request to an endpoint that
// never answers must not hang a Send called without a deadline. The copy
// leaves c itself as it was.
func ChannelClient(c *http.Client, opts ClientOptions) Client {
	if c == nil {
		return Client{Client: NewClient(opts), own: true}
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cp.Timeout <= 0 {
		cp.Timeout = opts.timeout()
	}
	return Client{Client: &cp}
}

// Own reports whether the channel made the client.
func (c Client) Own() bool { return c.own }

// Close closes the idle connections of a client the channel made, and
// does nothing to a given one. It returns nil: a channel's Close can
// return it, and the client stays usable.
func (c Client) Close() error {
	if c.own {
		c.CloseIdleConnections()
	}
	return nil
}
