// Package webhook is a broadcast.Channel that POSTs each update as signed
// JSON to one endpoint or to many (a subscriber list of thousands), following
// the Standard Webhooks specification (standardwebhooks.com).
//
// # Payload
//
// The body is {"type":"incident.updated","timestamp":…,"data":{…}}, data
// carrying every field of the Update (see Payload). Its JSON Schema (draft
// 2020-12) is the package's schema.json, returned by Schema. Every endpoint
// gets the same bytes, and a retry sends the same bytes again. As on every
// channel, Update.Overrides[name] replaces the text: here it is sent as
// data.body.
//
// # Signing
//
// Each request carries webhook-id, the same for one update and endpoint on
// every attempt (see MessageID), so receivers can deduplicate;
// webhook-timestamp, the Unix time of this attempt; and webhook-signature,
// "v1," and the base64 HMAC-SHA256 of "id.timestamp.body" keyed with the
// endpoint's secret ("whsec_" and the base64 of 24 to 64 bytes). Receivers
// written in Go check deliveries with a Verifier; Sign computes a signature.
// Endpoints without a secret are refused by New unless Config.AllowUnsigned
// is set; they get no webhook-signature header.
//
// # Fan-out
//
// Send makes one attempt: it posts to every endpoint not yet done, at most
// Config.Concurrency at a time, over reused connections. Through
// Message.Ledger, an endpoint that answered 2xx is marked delivered and one
// that failed permanently is marked failed, so the Broadcaster's retries
// reach only the endpoints that failed transiently. Check (broadcast.Checker)
// resolves, connects to and, for https, completes a TLS handshake with every
// endpoint without sending a request: Standard Webhooks defines no probe,
// and a test POST would be a delivery.
//
// # Errors
//
// Per endpoint, 2xx is success; 408, 425, 429, 5xx except 501 and transport
// errors (timeouts, resets) are transient; 3xx (redirects are not followed:
// a webhook URL that redirects is misconfigured), 501 and every other 4xx,
// 410 Gone included, fail that endpoint permanently. When some endpoint
// failed transiently, Send returns a *SendError marked transient (with
// broadcast.RetryAfter carrying the largest Retry-After among them), so
// that the Broadcaster retries those. Otherwise Send returns nil when some
// endpoint got the update, in this attempt or an earlier one: the endpoints
// that failed permanently are reported through Ledger.MarkFailed (the
// Broadcaster lists them in Result.Failures and returns a
// *broadcast.TargetsError) and counted in the receipt's "failed" Meta. When
// every endpoint failed permanently, in this attempt or an earlier one, Send
// returns a *SendError marked broadcast.Permanent, which lists the earlier
// failures too, with the reason then recorded.
//
// Telling an endpoint delivered earlier from one that failed earlier takes
// a broadcast.FailureLedger, which the Broadcaster hands over when its Store
// is a broadcast.FailureStore (MemoryStore and boltstore are). A Ledger that
// is not one, such as that of a Store of your own, only says an endpoint is
// done: Send then counts every done endpoint as delivered earlier, so an
// attempt whose endpoints all failed permanently, some of them in an earlier
// attempt, returns nil. The Broadcaster still lists the failures of every
// attempt of its Send in Result.Failures.
//
// Errors name endpoints by EndpointName, as in
// "https://hooks.example.com/…#3f2a9c01": scheme, host and port, and a hash
// of the URL, never its user information, path or query, where webhook
// URLs (Slack's, Discord's, Teams') carry their tokens. Neither the signing
// secrets, nor the values of Config.Headers, nor the endpoint's path and
// query appear in errors, not even when a receiver echoes them in its
// answer (also JSON- or URL-escaped, or cut short): they read REDACTED.
//
// Secrets are plain strings. Config, Endpoint, Channel and Verifier print
// them as REDACTED, and URLs as EndpointName names them, through fmt (every
// verb), log/slog, encoding/json and YAML encoders; a secret printed on its
// own is just a string.
//
// # Limits
//
// The status line decides. Once an endpoint's response headers are in, at
// most 4 KiB of its body is read, for at most 2s (less when the attempt
// ends first), and the connection is closed unless the body ended by then:
// a 2xx whose body is slow, endless or huge is a delivery, marked so and
// not retried, and a non-2xx keeps its classification, its error holding
// the first 512 bytes of what arrived. An error message names at most 5 endpoints; SendError.Failures has them all.
// One attempt of a large list must fit the Broadcaster's AttemptTimeout
// (30s by default); the endpoints it did not reach are retried. The default
// client gives each request 15s. Header values shorter than 4 bytes are
// not redacted from errors (they would blank out ordinary words); of a
// value like "Bearer <token>", the token alone is redacted too. Ledger
// targets are hashes of the endpoint URLs ("ep_…"), each marked as soon as
// its request ends. Of an echoed path, the whole path and its segments and query
// values of 16 bytes or more are redacted; a shorter token, echoed alone,
// is not. Endpoints that failed permanently in an earlier attempt are named
// in that attempt's error; the Broadcaster lists them all in
// Result.Failures.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Defaults of Config.
const (
	DefaultName        = "webhook"
	DefaultConcurrency = 16
	// UserAgent is sent with every request unless Config.Headers sets one.
	UserAgent = "outagecast-webhook/1"
)

// responseLimit bounds how much of a response body is kept.
const responseLimit = 4 << 10

// Config configures a Channel. Set URL (and Secret) for one endpoint, or
// Endpoints for many.
type Config struct {
	// Name of the channel; default "webhook".
	Name string
	// URL is the one endpoint, an absolute http(s) URL; shorthand for
	// Endpoints with one element. Required unless Endpoints is set.
	URL string
	// Secret signs deliveries to URL: "whsec_" and the base64 of 24 to 64
	// random bytes.
	Secret string
	// Endpoints are the receivers, each with its own secret; URLs must be
	// distinct.
	Endpoints []Endpoint
	// AllowUnsigned permits endpoints without a Secret.
	AllowUnsigned bool
	// Headers are added to every request (for example an Authorization the
	// receiver wants). They cannot set the webhook-* headers, Content-Type,
	// Content-Length, Content-Encoding, Transfer-Encoding, Host or
	// Connection; they may replace User-Agent. Values print as REDACTED and
	// are redacted from errors, so a credential is safe here.
	Headers map[string]string
	// Concurrency bounds the requests in flight; default 16.
	Concurrency int
	// HTTPClient sends the requests. Default: a client of its own with 15s
	// per request, Concurrency idle connections per host, and no redirects
	// followed. A client of yours should not follow redirects either.
	HTTPClient *http.Client
}

// Channel posts updates to webhook endpoints. It is safe for concurrent use.
type Channel struct {
	name        string
	endpoints   []endpoint
	header      http.Header
	concurrency int
	client      *http.Client
	ownClient   bool
	now         func() time.Time
	bodyWait    time.Duration // for a response body once its headers are in; 0: httpx.BodyWait
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
)

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "webhook: Config.Endpoints[3].Secret: not a whsec_ secret".
func New(cfg Config) (*Channel, error) {
	eps, header, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c := &Channel{name: cfg.Name, endpoints: eps, header: header, concurrency: cfg.Concurrency,
		client: cfg.HTTPClient, now: time.Now}
	if c.name == "" {
		c.name = DefaultName
	}
	if c.concurrency == 0 {
		c.concurrency = DefaultConcurrency
	}
	if c.client == nil {
		c.client = httpx.NewClient(httpx.ClientOptions{MaxConnsPerHost: c.concurrency})
		c.ownClient = true
	}
	return c, nil
}

// Name returns the channel's name.
func (c *Channel) Name() string { return c.name }

// Close releases the idle connections of the default client; a client
// given in Config is left alone. The Channel remains usable.
func (c *Channel) Close() error {
	if c.ownClient {
		c.client.CloseIdleConnections()
	}
	return nil
}

// Preview returns the JSON body the endpoints would receive.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	body, err := encode(c.name, u.WithDefaults(c.now().UTC()))
	if err != nil {
		return broadcast.Preview{}, err
	}
	return broadcast.Preview{Channel: c.name, Text: string(body), Length: len(body), Unit: "bytes"}, nil
}

// Send posts m.Update to every endpoint that m.Ledger does not report done:
// one attempt each. See the package documentation for the errors. An Update
// without ID or Time gets them as the Broadcaster would give them; set both
// when calling Send directly, so that retries send the same bytes.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("webhook: %w", err)
	}
	u := m.Update.WithDefaults(c.now().UTC())
	body, err := encode(c.name, u)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(err)
	}
	out := c.fanOut(ctx, u.ID, body, m.Ledger)
	if err := out.err(); err != nil {
		return broadcast.Receipt{}, err
	}
	r := broadcast.Receipt{Channel: c.name, Time: c.now().UTC(), Meta: map[string]string{
		"endpoints": strconv.Itoa(len(c.endpoints)),
		"delivered": strconv.Itoa(out.delivered),
		"skipped":   strconv.Itoa(out.skipped),
		"failed":    strconv.Itoa(len(out.failures)),
	}}
	if len(c.endpoints) == 1 {
		r.ID = MessageID(u.ID, c.endpoints[0].url)
	}
	return r, nil
}

// post makes one request to ep.
func (c *Channel) post(ctx context.Context, ep *endpoint, id string, body []byte) error {
	req, err := httpx.NewRequest(ctx, http.MethodPost, ep.url, body, "application/json")
	if err != nil {
		return broadcast.Permanent(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	ts := c.now().Unix()
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	if ep.key != nil {
		req.Header.Set(HeaderSignature, sign(ep.key, id, ts, body))
	}
	// Only the status counts: a receiver that answered 2xx has the update,
	// whatever becomes of its body, so a retry would deliver it again.
	resp, err := httpx.DoStatus(c.client, req, responseLimit, c.bodyWait)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("post: %w", ue.Err) // the error names the endpoint already
		}
		return httpx.Redact(err, ep.hide...)
	}
	// Redact the body before Classify cuts the error snippet from it, so
	// that no cut keeps part of a secret; Redact then catches what the
	// snippet's folding of white space joined up.
	resp.Body = []byte(httpx.RedactString(string(resp.Body), ep.hide...))
	return httpx.Redact(httpx.Classify(resp), ep.hide...)
}
