// Package httpx is the HTTP plumbing shared by the HTTP-based channels: one
// request per call with a context, a bounded read of the response body that
// drains and closes it so the connection is reused, classification of a
// response status into success, transient or permanent failure (with the
// server's Retry-After hint), and redaction of URLs and secrets in errors.
//
// A channel's Send typically reads as:
//
//	req, err := httpx.NewRequest(ctx, http.MethodPost, endpoint, body, "application/json")
//	resp, err := httpx.Do(client, req, 0)
//	if err != nil { return broadcast.Receipt{}, httpx.Redact(err, secret) }
//	if err := httpx.Classify(resp); err != nil { ... }
//
// # Limits
//
// Do keeps at most the body limit (DefaultBodyLimit when 0) of a response
// and discards at most DrainLimit more before closing it: a connection whose
// response is longer than both is closed instead of reused. Error snippets
// of a response body are at most SnippetLimit bytes. Retry-After hints are
// capped at MaxRetryAfter.
//
// # Errors
//
// Transport errors (dial, TLS, reset, timeout) are returned unmarked, that
// is transient, with the request URL redacted; they match the context's
// error with errors.Is when the context ended the request. Classify returns
// nil for 2xx, a *StatusError marked transient (with broadcast.RetryAfter
// when the server sent a usable Retry-After) for 408, 425, 429 and 5xx
// except 501, and a *StatusError marked broadcast.Permanent for every other
// status, 3xx included: a redirect is not followed by the clients this
// package builds, since a channel URL that redirects is misconfigured.
package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Limits of Do.
const (
	// DefaultBodyLimit is the body limit Do applies when given 0.
	DefaultBodyLimit = 64 << 10
	// DrainLimit is how much of a body beyond the limit Do reads and
	// discards so that the connection can be reused.
	DrainLimit = 256 << 10
)

// Response is a response whose body has been read (up to a limit) and
// closed.
type Response struct {
	Status    int         // the status code, as 200
	Header    http.Header // the response header
	Body      []byte      // the body, at most the limit given to Do
	Truncated bool        // the body was longer than the limit
}

// Do sends req, which carries its context, with client (nil:
// http.DefaultClient) and reads the response body up to limit bytes (0:
// DefaultBodyLimit). It drains at most DrainLimit more bytes and closes the
// body, so the connection goes back to the pool. It returns an error only
// when no response arrived or its body could not be read; the status is left
// to Classify. Errors have the URL redacted (see RedactURL).
func Do(client *http.Client, req *http.Request, limit int64) (*Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, redactURLError(err)
	}
	defer Drain(resp.Body)
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if int64(len(body)) > limit {
		out.Body, out.Truncated = body[:limit], true
	}
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", redactURLError(err))
	}
	return out, nil
}

// Drain reads and discards at most DrainLimit bytes of body and closes it,
// so that the connection can be reused. Nil is ignored.
func Drain(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, DrainLimit))
	_ = body.Close()
}

// NewRequest returns a request for rawURL with body (which may be nil) and,
// when contentType is not empty, that Content-Type. The request can be
// re-sent (GetBody is set). Unlike http.NewRequestWithContext, an invalid
// URL gives an error without the URL in it.
func NewRequest(ctx context.Context, method, rawURL string, body []byte, contentType string) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("httpx: invalid URL")
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "", r)
	if err != nil {
		return nil, fmt.Errorf("httpx: new request: %w", err)
	}
	req.URL, req.Host = u, u.Host
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// ClientOptions configure NewClient. The zero value means the defaults.
type ClientOptions struct {
	// Timeout bounds one request, response body included; default 15s.
	Timeout time.Duration
	// MaxConnsPerHost bounds the idle connections kept per host; set it to
	// at least the number of requests made at once. Default 16.
	MaxConnsPerHost int
}

// NewClient returns a client with its own transport: proxies from the
// environment, dial and TLS handshake timeouts of 10s, HTTP/2 when the
// server offers it, opts.MaxConnsPerHost idle connections per host, and no
// redirects followed (the 3xx response is returned, which Classify makes a
// permanent error).
func NewClient(opts ClientOptions) *http.Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = 16
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          max(100, opts.MaxConnsPerHost),
		MaxIdleConnsPerHost:   opts.MaxConnsPerHost,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
