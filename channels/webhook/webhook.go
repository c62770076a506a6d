// Package webhook is a broadcast.Channel that POSTs each update as signed
// JSON to one endpoint or to many (a subscriber list of thousands), following
// the Standard Webhooks specification (standardwebhooks.com).
//
// # Payload
//
// The body is {"type":…,"timestamp":…,"data":{…}}: type "incident.updated"
// for an update, "incident.corrected" for a correction and
// "incident.retracted" for a retraction (see EventUpdated, EventCorrected,
// EventRetracted and Payload). Data carries every field of the Update,
// Advice and Corrects included. Its JSON Schema (draft 2020-12) is the
// package's schema.json, returned by Schema. Every endpoint gets the same
// bytes, and a retry of an update sends the same bytes again. As on every
// channel, Update.Overrides[name] replaces the text: here it is sent as
// data.body.
//
// The Receipt of a Send counts the endpoints in its Meta ("endpoints",
// "delivered" and "failed" in this attempt, "skipped" as done earlier, and,
// when a newer update of the incident reached some first, "superseded":
// those the update was not posted to, the Result's SupersededTargets) and
// keeps the update's "incident_id" for Retract; with one endpoint, its ID
// is that endpoint's webhook-id. (The retraction of an update that reached
// only some endpoints, which has no such Receipt, carries no incident_id:
// receivers find the update by data.id.)
//
// # Signing
//
// Each request carries webhook-id, the idempotency key Message.Key of the
// endpoint's Ledger target: the same for one update and endpoint on every
// attempt, after a restart and on every instance sharing the Store, so
// receivers can drop repeats (answering them 2xx: Standard Webhooks counts
// every other status a failure, 409 Conflict included, which by the
// Idempotency-Key draft means the first request is still being processed,
// not that it was delivered); webhook-timestamp, the Unix time of this
// attempt; and webhook-signature, "v1," and the base64 HMAC-SHA256 of
// "id.timestamp.body" keyed with the endpoint's secret ("whsec_" and the
// base64 of 24 to 64 bytes; the base64 alone is taken too, as the
// specification's reference libraries take it, and signs alike: see
// ParseSecret). Receivers written in Go check deliveries with a Verifier;
// Sign computes a signature. Endpoints without a secret are
// refused by New unless Config.AllowUnsigned is set; they get no
// webhook-signature header.
//
// To rotate an endpoint's secret without a delivery refused, as the
// specification allows: set the new secret as Secret and the old one as
// PreviousSecret, so that each delivery carries two signatures ("v1,… v1,…",
// the new secret's first), and a receiver accepts it whichever of the two
// it holds; once the receiver verifies with the new one, remove
// PreviousSecret. (A receiver under your own control can instead accept
// both secrets for a while: NewVerifier takes several.)
//
// # Fan-out
//
// Send makes one attempt: it posts to every endpoint not yet done, at most
// Config.Concurrency at a time, over reused connections, and books each
// with a broadcast.Fanout as soon as its POST ends. The Ledger target of an
// endpoint is its EndpointName, as in "https://hooks.example.com/…#3f2a9c01b7e4":
// readable, unique, without the URL's secrets. An endpoint that answered
// 2xx is marked delivered and one that failed permanently is marked failed,
// so the Broadcaster's retries reach only the endpoints that failed
// transiently. Check (broadcast.Checker) resolves, connects to and, for
// https, completes a TLS handshake with every endpoint without sending a
// request: Standard Webhooks defines no probe, and a test POST would be a
// delivery.
//
// # Threading
//
// Receivers thread updates themselves: data.incident_id groups the updates
// of an incident. Send ignores Message.Thread.
//
// # Corrections and retractions
//
// A webhook cannot change what a receiver already has, so the channel is
// not a broadcast.Editor: Broadcaster.Correct sends the corrected update as
// an "incident.corrected" event whose data.corrects names the update it
// corrects. The channel is a broadcast.Retractor: Broadcaster.Retract sends
// an "incident.retracted" event, whose data holds the update's id and
// incident_id, to every endpoint by the rules of Send, with a webhook-id of
// its own, stable like an update's; receivers delete or hide that update.
// Its timestamp is when it was sent. An endpoint that never got the update
// gets the retraction too, and ignores it. Retract has no Ledger: a retry,
// or retracting again, sends the event to every endpoint again, under the
// same webhook-id, so receivers drop it as a repeat.
//
// # URL form
//
// A Config with one endpoint has a short form, for configuration files
// that list channels as URLs: ParseURL reads it and Config.ChannelURL
// writes it.
//
//	webhook://HOST[:PORT]/PATH?secret=whsec_…            (posts over https)
//	webhook+http://HOST[:PORT]/PATH?allow_unsigned=true   (plain http)
//
// The query parameters secret, previous_secret, allow_unsigned and
// concurrency set those fields, and "@Name=value" adds the header Name (Headers), each
// at most once; every other parameter stays in the endpoint's URL, as do
// its user information and path, each as written: the endpoint's Ledger
// target, and so the webhook-id of each update, is the one the same URL
// gets as Config.URL (a file's "url:"), so that a configuration rewritten
// from one form to the other does not make a redelivery a new event. Values are %-escaped, but "+" stands for itself, so a whsec_ secret
// can be pasted as is. A "/", "?" or "#" in the endpoint's password is
// written %2F, %3F or %23: unescaped, it ends the host there, and the
// user name would become the host, the password's first digits its port,
// and the rest of the password the path, query or fragment. ParseURL
// refuses what that leaves, without quoting it: an empty port, or a port
// without user information followed by an "@" in the path, the query (but
// the one that starts a header parameter) or the fragment; such an "@"
// that belongs there is written %40. An endpoint whose own query uses one of those names,
// and a list of endpoints, need the full Config.
//
// # Errors
//
// Per endpoint, 2xx is success; 408, 425, 429 (waiting for Retry-After, 30
// seconds without one or with one already over), 5xx except 501 and
// transport errors (timeouts, resets; not a certificate that does not verify or a port that does not speak TLS,
// which fail that endpoint permanently) are transient; 3xx (redirects are not
// followed, by the channel's own client nor by one given in Config: a
// webhook URL that redirects is misconfigured; the error names the
// Location's scheme and host), 501 and every other 4xx fail that endpoint
// permanently, as do a 101 Switching Protocols, which no delivery asks for
// (its connection is closed at once, unread), and a panic in
// Config.HTTPClient's Transport ("post: panicked"). A 410 Gone is more: by Standard Webhooks the receiver wants
// no more webhooks and the endpoint should be disabled, so its failure
// says "the receiver asks that this endpoint be disabled". The channel
// keeps no state across updates, so each later update tries it again:
// remove it from the Config. StatusCode gives the HTTP status of an
// endpoint's failure, for example to find the endpoints that answered 410
// in a Result's Failures.
//
// Send's error follows broadcast.Fanout's rule: a transient
// *broadcast.TargetsError (with broadcast.RetryAfter carrying the largest
// Retry-After) while some endpoint failed transiently; nil when every other
// endpoint got the update, now or in an earlier attempt, the permanent
// failures being in the Ledger, from which the Broadcaster reports them in
// Result.Failures; a Permanent *broadcast.TargetsError when every endpoint
// failed permanently. Retract returns the same errors, and also a
// Permanent *broadcast.TargetsError when some endpoints got the retraction
// and others refused it for good, since those may still show the update: a
// 404 included, which says the endpoint's URL has no receiver, not that the
// receiver has no such update (one that never got it answers 2xx).
//
// Errors name endpoints by EndpointName. No secret appears in an error, a
// Ledger failure or a printed Config, Endpoint, Channel or Verifier: the
// signing secrets and header values are redact.Secret values and URLs are
// redact.URL values, which print without their secrets, and a receiver's
// answer quoted in an error is redacted of its endpoint's secret (with and
// without its whsec_ prefix, however it was written, and its decoded
// bytes), the credentials, path
// tokens and query values of its URL, and the header values, in every
// encoding redact.Redactor knows.
//
// # Addresses
//
// The channel posts wherever the endpoints' URLs point, loopback and
// private addresses included (receivers inside your network), with one
// exception: a link-local address (169.254.0.0/16, fe80::/10) or a cloud
// metadata service's (AWS's fd00:ec2::254 and fd00:ec2::23, Google
// Cloud's fd20:ce::254, Scaleway's fd00:42::42, Alibaba Cloud's
// 100.100.100.200), where a POST could reach the instance's credentials. New refuses such an address written as
// the host (also in the full-width digits or ideographic full stops that
// net/http maps to ASCII, "１６９.２５４.１６９.２５４"), and the channel's own client refuses to connect to one that a
// name resolves to, which fails that endpoint permanently (unless it goes
// through a proxy from the environment, HTTPS_PROXY: the proxy then
// resolves the name and connects). A client given
// in Config.HTTPClient connects where its Transport does: when the
// endpoints come from people you do not trust (a subscriber list), give it
// a dialer whose Control refuses the addresses you keep from them, private
// ones too, and no proxy that reaches them.
//
// # Limits
//
// The status line decides. Once an endpoint's response headers are in, at
// most 4 KiB of its body is read, for at most 2s (less when the attempt
// ends first), and the connection is closed unless the body ended by then:
// a 2xx whose body is slow, endless or huge is a delivery, marked so and
// not retried, and a non-2xx keeps its classification, its error holding
// the first 512 bytes of what arrived. An error message names at most 5
// endpoints; the TargetsError has them all. One attempt of a large list
// must fit the Broadcaster's AttemptTimeout (30s by default); the endpoints
// it did not reach are retried. The default client gives each request 15s.
// Header values shorter than 4 bytes are not redacted from errors (they
// would blank out ordinary words); of a value like "Bearer <token>", the
// token alone is redacted too. The 48-bit hash in an EndpointName hides a
// URL's token only as well as the token's own randomness allows.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/earlier"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/internal/stack"
	"github.com/outagecast/outagecast/redact"
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
// Endpoints for many. It prints, logs and encodes without its secrets.
type Config struct {
	// Name of the channel; default "webhook".
	Name string `yaml:"name" json:"name"`
	// URL is the one endpoint, an absolute http(s) URL; shorthand for
	// Endpoints with one element. Required unless Endpoints is set. It is
	// checked as Endpoint.URL is.
	URL redact.URL `yaml:"url" json:"url"`
	// Secret signs deliveries to URL: "whsec_" and the base64 of 24 to 64
	// random bytes, or that base64 alone (see ParseSecret).
	Secret redact.Secret `yaml:"secret" json:"secret"`
	// PreviousSecret, while Secret is being rotated, signs deliveries to
	// URL too (see Endpoint.PreviousSecret).
	PreviousSecret redact.Secret `yaml:"previous_secret" json:"previous_secret"`
	// Endpoints are the receivers, each with its own secret; URLs must be
	// distinct, and are not when they differ only in the case of the
	// host, its Unicode or ASCII form, the final "." of a fully qualified
	// name, an IPv4 address written IPv4-mapped ("[::ffff:192.0.2.1]"), a
	// port's leading zeros, a default port written out, or an empty path
	// and "/": net/http dials them alike.
	Endpoints []Endpoint `yaml:"endpoints" json:"endpoints"`
	// AllowUnsigned permits endpoints without a Secret.
	AllowUnsigned bool `yaml:"allow_unsigned" json:"allow_unsigned"`
	// Headers are added to every request (for example an Authorization the
	// receiver wants). They cannot set the webhook-* headers, Content-Type,
	// Content-Length, Content-Encoding, Transfer-Encoding, Host, nor the
	// headers of one connection (Connection, Keep-Alive, Proxy-Connection,
	// TE, Trailer, Upgrade), nor Proxy-Authorization (net/http would send
	// it to the receivers: a proxy takes its credentials from its URL, as
	// in HTTPS_PROXY); they may replace User-Agent, or leave it out with
	// an empty value. Names ignore case: one
	// given twice, in two spellings, is refused, and so is an empty value
	// (an unset environment variable, say), or an Authorization of a
	// scheme alone ("Bearer " and an unset variable). Values are secrets: they
	// print as REDACTED and are redacted from errors.
	Headers map[string]redact.Secret `yaml:"headers" json:"headers"`
	// Concurrency bounds the requests in flight; default 16.
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// HTTPClient sends the requests. Default: a client of its own with 15s
	// per request, Concurrency idle connections per host, and no redirects
	// followed. A client given here is used through a copy that follows no
	// redirect either, with its Transport, Timeout and Jar; without a
	// Timeout, it gets 15s per request too. The channel's own client
	// refuses to connect to link-local and cloud metadata addresses; a
	// given one connects where its Transport does (see Addresses in the
	// package documentation). A panic in a given client's Transport (or
	// Jar) fails the endpoint of that request for good, and one in what
	// Check dials with fails that endpoint's check; the error names the
	// panic's value only if it is a runtime error.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// Channel posts updates to webhook endpoints. It is safe for concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by webhook.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with. Its secrets are behind a pointer of
// their own (header, endpoints[i]): fmt prints the fields of a value it
// cannot print with the verb asked (%s of a pointer) raw, but pointers
// within as addresses, so no verb prints a Channel's secrets.
type state struct {
	endpoints   []*endpoint
	targets     []string // targets[i] is endpoints[i].target
	header      *http.Header
	concurrency int
	client      httpx.Client
	now         func() time.Time
	bodyWait    time.Duration // for a response body once its headers are in; 0: httpx.BodyWait
	timeout     time.Duration // for a request of the default client; 0: the client's own
	workers     sync.Pool     // of *worker
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "webhook: Config.Endpoints[3].Secret: whsec_ secret is not valid base64";
// the error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	eps, header, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	header.Set("Content-Type", "application/json")
	s := &state{endpoints: eps, targets: make([]string, len(eps)), header: &header,
		concurrency: cfg.Concurrency, now: time.Now}
	for i, ep := range eps {
		s.targets[i] = ep.target
	}
	if s.concurrency == 0 {
		s.concurrency = DefaultConcurrency
	}
	// A given client is used through a copy that follows no redirect, as
	// the channel's own: a redirected POST would take the signed payload
	// to a URL nobody configured, and report it delivered.
	s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, MaxConnsPerHost: s.concurrency,
		Control: refuseLinkLocal})
	if cfg.HTTPClient == nil {
		// The channel bounds each request by the client's timeout itself,
		// with the timer that bounds its body (httpx.DoStatusBuilt).
		s.timeout, s.client.Timeout = s.client.Timeout, 0
	}
	name, _ := setup.Name("webhook", cfg.Name, DefaultName, nil) // checked by validate
	return &Channel{name: name, s: s}, nil
}

// Name returns the channel's name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("webhook: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). A Check under way fails
// with ErrClosed at once too. Later calls fail with ErrClosed. It then
// releases the idle connections of the channel's own client; a client
// given in Config is left alone. Calling it again does nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// Preview returns the JSON body the endpoints would receive.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Unit: "bytes"}
	body, err := encode(c.name, u.WithDefaults(c.s.now().UTC()))
	if err != nil {
		return p, err
	}
	p.Text, p.Length = string(body), len(body)
	return p, nil
}

// Send posts m.Update to every endpoint that m.Ledger does not report done:
// one attempt each. See the package documentation for the errors. An Update
// without ID or Time gets them as the Broadcaster would give them; build
// the Message with broadcast.NewMessage when calling Send directly, so that
// retries send the same bytes under the same webhook-id.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("webhook: %w", err)
	}
	m.Update = m.Update.WithDefaults(c.s.now().UTC()) // Key needs the ID
	body, err := encode(c.name, m.Update)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(err)
	}
	f := broadcast.NewFanout(m, c.s.targets)
	c.fanOut(ctx, f, body, m.Key)
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("webhook: %w", err)
	}
	attempted, delivered, superseded := len(f.Todo()), len(f.Delivered()), len(f.Superseded())
	r := broadcast.Receipt{Channel: c.name, Time: c.s.now().UTC(), Meta: map[string]string{
		"endpoints":   strconv.Itoa(len(c.s.endpoints)),
		"delivered":   strconv.Itoa(delivered),
		"skipped":     strconv.Itoa(len(c.s.endpoints) - attempted - superseded),
		"failed":      strconv.Itoa(attempted - delivered), // Err is nil: none pending
		"incident_id": m.Update.IncidentID,
	}}
	if superseded > 0 {
		r.Meta["superseded"] = strconv.Itoa(superseded)
	}
	if len(c.s.endpoints) == 1 {
		r.ID = m.Key(c.s.targets[0])
	}
	return r, nil
}

// fanOut posts body to every endpoint f has to do, Concurrency at a time,
// under the webhook-id key(target), and reports each outcome to f as soon
// as its POST ends, so that an attempt cut short keeps what it achieved.
func (c *Channel) fanOut(ctx context.Context, f *broadcast.Fanout, body []byte, key func(string) string) {
	todo := f.Todo()
	// The workers take the endpoints in turn by counting, rather than from
	// a channel: a hand-over per endpoint would put a switch between
	// goroutines on the way of every request. A panic in a worker
	// outside post (a caller-built Message.Ledger's, in Report) is raised
	// again in the caller's goroutine once the workers ended, rather than
	// end the process. One variable for all three: each variable a
	// closure shares is an allocation.
	var run struct {
		next   atomic.Int64
		panics guard.Panics
		wg     sync.WaitGroup
	}
	work := func() {
		defer run.panics.Catch("webhook")
		stack.Grow(6 << 10) // what a request through net/http needs: grown once, here

		w := c.s.worker()
		defer c.s.workers.Put(w)
		for n := run.next.Add(1) - 1; n < int64(len(todo)); n = run.next.Add(1) - 1 {
			i := todo[n]
			if err := ctx.Err(); err != nil {
				// The attempt is over: the endpoints left fail at once,
				// pending, without a request whose error would be
				// redacted (a Redactor built for each, milliseconds
				// apiece: a list of thousands would hold the caller on
				// long after its context ended).
				f.Report(i, fmt.Errorf("post: %w", err))
				continue
			}
			ep := c.s.endpoints[i]
			f.Report(i, c.post(ctx, w, ep, key(ep.target), body)) // each i by one worker
		}
	}
	if len(todo) == 0 {
		return
	}
	// The calling goroutine is one of the workers: one goroutine fewer to
	// start, and none at all for a single endpoint. The others share one
	// closure, where WaitGroup.Go would make one for each.
	started := func() {
		defer run.wg.Done()
		work()
	}
	for range min(c.s.concurrency, len(todo)) - 1 {
		run.wg.Add(1)
		go started()
	}
	work()
	run.wg.Wait()
	run.panics.Raise()
}

// worker is what a goroutine of fanOut reuses from one request to the
// next, and what later Sends reuse (state.workers): space to sign in, and
// the timestamp's text while the second lasts.
type worker struct {
	buf    []byte
	ts     int64
	tsText string
}

func (s *state) worker() *worker {
	if w, ok := s.workers.Get().(*worker); ok {
		return w
	}
	return &worker{}
}

func (w *worker) timestamp(ts int64) string {
	if w.tsText == "" || ts != w.ts {
		w.ts, w.tsText = ts, strconv.FormatInt(ts, 10)
	}
	return w.tsText
}

// post makes one request to ep. Its errors are redacted of what ep's
// receiver may echo; a success costs no redaction. A panic in the request
// (Config.HTTPClient's Transport, or its Jar) fails ep for good (see
// package guard): it may run in a goroutine of fanOut's.
func (c *Channel) post(ctx context.Context, w *worker, ep *endpoint, id string, body []byte) (err error) {
	defer guard.Recover("post", &err)
	// Only the status counts: a receiver that answered 2xx has the update,
	// whatever becomes of its body, so a retry would deliver it again.
	resp, err := httpx.DoStatusBuilt(c.s.client, ctx, func(bound context.Context) (*http.Request, error) {
		req, err := httpx.NewRequest(bound, http.MethodPost, ep.url, body, "")
		if err != nil {
			return nil, broadcast.Permanent(err)
		}
		c.setHeader(req.Header, w, ep, id, body)
		return req, nil
	}, responseLimit, c.s.bodyWait, c.s.timeout, ep)
	if errors.Is(err, errLinkLocal) {
		return broadcast.Permanent(err) // no retry connects there
	}
	if err != nil {
		return err // as httpx makes it: redacted, "post: …" for a URL with a secret
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		return nil
	}
	err = httpx.Classify(resp) // a 3xx's names where it points
	// DoStatusBuilt redacted the body; the snippet is redacted again, for
	// what its folding of white space joined up. Only the snippet, the
	// receiver's words: redacting the whole text would blank the status
	// line's own words where a header value is one ("http", "Gone"), and
	// StatusCode could not read the status, now or from the Ledger.
	var se *httpx.StatusError
	if errors.As(err, &se) {
		se.Snippet = ep.Redactor().String(se.Snippet)
	}
	if resp.Status == http.StatusGone {
		// Standard Webhooks: the receiver wants no more webhooks from us.
		// The channel keeps nothing across updates: the operator removes it.
		err = fmt.Errorf("%s: %w", goneText, err)
	}
	return err
}

// Canonical forms of the webhook-* header names, set directly: Header.Set
// would make them anew for each request.
var (
	keyID        = http.CanonicalHeaderKey(HeaderID)
	keyTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	keySignature = http.CanonicalHeaderKey(HeaderSignature)
)

// setHeader fills h, a request's empty header, with the channel's fields
// (user agent, content type, Config.Headers), whose values it shares, and
// the webhook-* fields of this attempt, whose values share one allocation.
func (c *Channel) setHeader(h http.Header, w *worker, ep *endpoint, id string, body []byte) {
	for k, v := range *c.s.header {
		h[k] = v
	}
	ts := c.s.now().Unix()
	vals := make([]string, 3)
	vals[0], vals[1] = id, w.timestamp(ts)
	h[keyID], h[keyTimestamp] = vals[0:1:1], vals[1:2:2]
	switch {
	case ep.prev != nil: // a secret being rotated: both sign
		mac, prev := ep.macs.get(), ep.prev.get()
		vals[2], w.buf = appendSignature(w.buf, id, ts, body, mac, prev)
		ep.macs.put(mac)
		ep.prev.put(prev)
		h[keySignature] = vals[2:3:3]
	case ep.macs != nil:
		mac := ep.macs.get()
		vals[2], w.buf = appendSignature(w.buf, id, ts, body, mac)
		ep.macs.put(mac)
		h[keySignature] = vals[2:3:3]
	}
}

// StatusCode returns the HTTP status an endpoint answered with, when err
// (a TargetFailure's Err, or an error wrapping one endpoint's failure, as
// Send's and Retract's error do when one endpoint failed) is about such an
// answer: for example 410 for an endpoint that is gone for good and should
// be unsubscribed. A failure recorded by an earlier attempt, which a later
// attempt's error and a Job's later run's Result.Failures give back as the
// text the Ledger recorded, is read from that text, which begins with the
// status this package wrote there ("http status 410 Gone"). StatusCode
// returns 0 for an error about no HTTP answer (a transport or TLS error, a
// refused address, a panic), one about several endpoints, and a recorded
// text that does not begin so (one recorded by a caller's own Ledger in
// another form).
func StatusCode(err error) int {
	var te *broadcast.TargetsError
	if errors.As(err, &te) {
		// The failures are in its lists, not down its Unwrap chain.
		if len(te.Pending)+len(te.Failures) != 1 {
			return 0
		}
		err = slices.Concat(te.Pending, te.Failures)[0].Err
	}
	var se *httpx.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	if reason, ok := earlier.Reason(err); ok {
		// The failure comes back as the text recorded: the status is at
		// its start, after goneText for a 410.
		return httpx.StatusInText(strings.TrimPrefix(reason, goneText+": "))
	}
	return 0
}

// goneText begins the failure of an endpoint that answered 410 Gone.
const goneText = "the receiver asks that this endpoint be disabled"

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("webhook.Channel", "webhook.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
