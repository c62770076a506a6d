package httpx

import "net/http"

// ChannelClient returns the client a channel sends with: a copy of c
// that follows no redirect, or NewClient(opts) when c is nil. A channel
// URL that redirects is misconfigured, and a redirect could take a
// request, and the credential in it, to another host; the copy leaves c
// itself as it was. own reports that the client is the channel's own:
// only then may the channel close its idle connections.
func ChannelClient(c *http.Client, opts ClientOptions) (client *http.Client, own bool) {
	if c == nil {
		return NewClient(opts), true
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp, false
}
