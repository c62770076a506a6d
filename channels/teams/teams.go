// Package teams is a broadcast.Channel that posts each update to a
// Microsoft Teams channel or chat as an Adaptive Card, through a
// Workflows (Power Automate) webhook: a workflow whose HTTP trigger
// receives the card and posts it. The Office 365 connectors' incoming
// webhooks are retired; New refuses their URLs.
//
// Each update is one card (version 1.4, full width): a heading with the
// status and the title, on a container coloured by status (red while
// investigating, amber when identified or monitoring, green when resolved
// or completed, blue for maintenance), then the text the "teams" template
// renders (DefaultTemplate: advice, impact, body, affected components,
// next update, link), one text block per line (its indentation written as
// no-break spaces, which the card keeps), and a button opening the
// Update's URL. A URL that Update.Validate refuses (in a Message built
// without the Broadcaster) is a permanent error of Send and Preview: the
// card's button would open nothing, or a javascript: link, or Teams would
// refuse the card after the workflow took it. The body Send posts is
//
//	{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
//	 "contentUrl":null,"content":{"$schema":…,"type":"AdaptiveCard","version":"1.4",…}}]}
//
// which is what the Workflows app's "Post to a channel when a webhook
// request is received" template expects. Update.Overrides[name] replaces
// the text; its first line that shows something becomes the heading
// (a correction's starts "Correction: ", whatever the text, unless the
// line says so already: templates.MarkCorrection). A
// text that shows nothing (a template that renders none, for some status)
// is an error, of New for Config.Templates, and a permanent one of Send:
// the workflow would take an empty card as it takes any other.
//
// The text is plain: every line is an Adaptive Card text run, which Teams
// shows as written, with no markdown and no mentions, so the user's text
// cannot format, link or ping anyone (a link destination a cut of the
// text moves after the ellipsis is written as the URL it points to, "&"
// as "&", see templates.Set.Plain). The one thing a text run reads is a
// date or time function, {{DATE(…)}} or {{TIME(…)}}, which Teams replaces
// with a date in the reader's locale: in user text (the update's IDs
// too, which a template may show), an invisible word joiner after the
// first "{" of each "{{" keeps it as written. In a URL the text shows
// (the Update's, or one in the user's text), the first "{" of a function
// ("{{DATE(" or "{{TIME(") is written "%7B" after the host, which names
// the same page; any other "{{" there, which Teams shows as written,
// stays as it is. The button opens the Update's URL as it is.
//
// # Threading
//
// None: a workflow's webhook answers 202 Accepted with no message ID, so
// nothing can be replied to. Send ignores Message.Thread; each update is a
// message of its own in the channel.
//
// # Corrections and retractions
//
// None: the webhook cannot change or delete what it posted, so the
// channel is neither a broadcast.Editor nor a broadcast.Retractor.
// Broadcaster.Correct posts the correction as a new card (its heading
// starts "Correction:"), and Broadcaster.Retract reports
// broadcast.ErrNotSupported. The channel is not a broadcast.Checker:
// there is no request that checks a workflow's webhook without posting, and
// a Check that only looked at the configuration would report a reachable
// platform it never reached (Broadcaster.Check says ErrNotSupported).
//
// # Idempotency
//
// The webhook takes no idempotency key. A retry after an answer that was
// lost (a timeout after the workflow accepted the card) posts the card
// again. 202 Accepted means the workflow took the request: a workflow
// that then fails to post (turned off, its connection expired) is seen in
// the workflow's run history, not here.
//
// # Limits
//
// The JSON body is at most MaxPayloadBytes (28,000), measured in bytes as
// Teams counts them: the body as sent, plus one byte for each '"' and '\'
// in it, as Teams stores the card's JSON as a string, each of those
// escaped; a card of many lines counts about a fifth more than its
// body. A longer update is shortened by the templates (body first, then
// components, then advice, then title; the status, next update and link
// are kept whole) until its card fits: an advice of many lines, each a
// block of its own, may have to be cut. Preview shows that body and its
// size as Teams counts it.
//
// # Errors
//
// 2xx (202 Accepted) is success; 429 waits for Retry-After (30 seconds
// without one); 408, 425 and 5xx (but 501) are transient; 400 (the
// workflow refused the body), 401 and 403 (a bad or expired sig=), 404
// (no such workflow) and the other 4xx are permanent; transport errors
// are transient, but for a certificate that does not verify or a port that does not speak TLS, which are permanent. Errors quote the start of the workflow's answer;
// the refusals of the URL itself (DirectApiInvalidAuthorizationSignature,
// DirectApiAuthorizationRequired, WorkflowNotFound) end in "(refused the
// credential: check Config.WebhookURL)". A
// redirect, or a 401, 403, 404 or 405 without Azure's error JSON (a proxy's
// page, a URL with a wrong host or path), says it is not the workflow's
// answer and names Config.WebhookURL; so does a 2xx other than 202 that
// is an HTML page (a captive portal's): nothing shows the card reached
// Teams. A 2xx whose text is an Office 365 connector's refusal
// ("Webhook message delivery failed with error: … HTTP error 429 …", or
// "… Error contacting Microsoft Teams endpoint", from a relay in front of
// one, with or without its first words) posted nothing: it is marked as
// the status it names, in digits or by its text (a 429 waits for the
// relay's Retry-After, 30 seconds without one; a 413, a card too large,
// is permanent), and is transient when it names none, as a connector
// answers 200 OK only to what it takes for retryable. Any other 2xx, a
// Response action's answer, is the workflow's.
//
// No error, Receipt or printed Config or Channel holds the webhook URL's
// path or query: the URL is a redact.URL, and the URL, its path and query,
// and every query value and path segment of 16 characters or more (the
// sig= and the workflow's ID) are redacted, in every encoding
// redact.Redactor knows, from whatever the service sends back. Shorter
// values (api-version=1, sv=1.0) are not secrets and are left alone, so
// that an error keeps its digits.
//
// # URL form
//
// ParseURL reads, and Config.URL writes:
//
//	teams://<host>[:port]/<path>?<query>[#name=<name>]
//
// which is the workflow's URL, https://<host>[:port]/<path>?<query>, with
// the scheme teams (teams+http for http, to loopback addresses only). The
// channel's name is in the fragment, since the query belongs to the
// workflow's signed URL.
package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Channel posts updates to a Teams workflow's webhook. It is safe for
// concurrent use. It prints as its name only (see Format).
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by teams.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with.
type state struct {
	url    string
	tmpl   *templates.Set
	client httpx.Client
	rd     *redact.Redactor
	now    func() time.Time
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
)

// Name returns Config.Name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// Format prints the Channel as "teams.Channel(<name>)" under every verb:
// fmt would print the webhook URL it holds through its fields.
func (c Channel) Format(f fmt.State, _ rune) { _, _ = fmt.Fprintf(f, "teams.Channel(%s)", c.name) }

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("teams: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). Later calls fail with
// ErrClosed. It then releases the idle connections of the channel's own
// client; a client given in Config is left alone. Calling it again does
// nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// render returns the JSON body of u (with its defaults).
func (c *Channel) render(u broadcast.Update) ([]byte, error) {
	if err := textsafe.CheckURL(u.URL, "the card's button opens it"); err != nil {
		return nil, err
	}
	// A template may show the URL and the IDs too; the button opens the
	// URL as it is.
	shown := textsafe.Map(u, c.name, quietFunctions)
	shown.URL, shown.ID, shown.IncidentID = quietFunctions(u.URL), quietFunctions(u.ID), quietFunctions(u.IncidentID)
	shown.Corrects = quietFunctions(u.Corrects)
	text, err := c.s.tmpl.Text(c.name, Template, shown, MaxPayloadBytes, sizer(u))
	if err != nil {
		return nil, err // ErrBlank too: Teams would take the empty card with a 202, as any other
	}
	return encode(build(text, u))
}

// Preview returns the JSON body Send would post, measured in bytes as
// Teams counts them (see the package documentation's "Limits").
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxPayloadBytes, Unit: "bytes"}
	body, err := c.render(u.WithDefaults(c.s.now().UTC()))
	if err != nil {
		return p, fmt.Errorf("teams: render: %w", err)
	}
	p.Text, p.Length = string(body), teamsSize(body)
	return p, nil
}

// Send posts m.Update's card to the webhook: one attempt. It ignores
// m.Thread; see the package documentation for the errors.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("teams: %w", err)
	}
	body, err := c.render(m.Update.WithDefaults(c.s.now().UTC()))
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("teams: render: %w", err))
	}
	req, err := httpx.NewRequest(ctx, http.MethodPost, c.s.url, body, "application/json")
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("teams: %w", err))
	}
	// The status line decides: a 2xx is a post, and reading on would only
	// risk a duplicate.
	resp, err := httpx.DoStatus(c.s.client, req, 0, 0, c.s.rd)
	if err != nil {
		return broadcast.Receipt{}, fmt.Errorf("teams: %w", err) // "post: …": httpx leaves the URL out
	}
	if err := httpx.Classify(resp); err != nil {
		if _, foreign := httpx.Foreign(resp, azureError(resp.Body)); foreign {
			err = fmt.Errorf("%w; not the workflow's answer (check Config.WebhookURL)", err)
		} else if refusesURL(resp.Body) {
			err = httpx.CredentialRefused(err, "Config.WebhookURL")
		}
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("teams: post: %w", err))
	}
	if resp.Status != http.StatusAccepted && htmlPage(resp) {
		// httpx leaves a 2xx as it came: the page is redacted before it
		// is cut, and of the start of a secret where httpx cut it, so
		// that no part of the URL's secrets stays (httpx.BodySnippet).
		page := httpx.BodySnippet(c.s.rd, resp)
		err := fmt.Errorf("http status %d %s: %s; not the workflow's answer (check Config.WebhookURL)",
			resp.Status, http.StatusText(resp.Status), page)
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("teams: post: %w", broadcast.Permanent(err)))
	}
	if err := deliveryFailed(resp, c.s.rd, c.s.now()); err != nil {
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("teams: post: %w", err))
	}
	return broadcast.Receipt{Channel: c.name, Time: c.s.now().UTC()}, nil
}

// failedTexts start the texts an Office 365 connector (or a relay in
// front of one) answers a refusal with, under 200 OK: "Webhook message
// delivery failed with error: Microsoft Teams endpoint returned HTTP error
// 429 with ContextId …", "… with error: Error contacting Microsoft Teams
// endpoint"; a relay may pass on the text after "with error: " alone.
var failedTexts = []string{
	"webhook message delivery failed",
	"error contacting microsoft teams endpoint",
	"microsoft teams endpoint returned http error",
}

// failedStatus finds the status such a text names.
var failedStatus = regexp.MustCompile(`(?i)\bHTTP error ([1-5][0-9]{2})\b`)

// failedReason finds the reason after "with error: ", which may be a
// status's text ("Forbidden").
var failedReason = regexp.MustCompile(`(?i)with error:\s*([^\r\n]*?)[\s.]*$`)

// deliveryFailed returns the error of r, a 2xx, when its body is a
// connector's refusal: marked as the status it names would be, in digits
// or by its text (a rate limit waits for Retry-After, if the relay passed
// one on, else httpx.RateLimitWait), and transient when it names none, as
// "Error contacting Microsoft Teams endpoint" does: a connector answers
// 200 OK to what it takes for retryable. The error quotes the text
// through httpx.BodySnippet with rd (httpx leaves a 2xx as it came). It
// returns nil for any other answer.
func deliveryFailed(r *httpx.Response, rd *redact.Redactor, now time.Time) error {
	body := strings.TrimSpace(string(r.Body))
	if !slices.ContainsFunc(failedTexts, func(t string) bool {
		return len(body) >= len(t) && strings.EqualFold(body[:len(t)], t)
	}) {
		return nil
	}
	status := 0
	if m := failedStatus.FindStringSubmatch(body); m != nil {
		status, _ = strconv.Atoi(m[1])
	} else if m := failedReason.FindStringSubmatch(body); m != nil {
		status = statusOfText(m[1])
	}
	err := fmt.Errorf("http status %d %s: %s", r.Status, http.StatusText(r.Status), httpx.BodySnippet(rd, r))
	transient := status == 0 || httpx.Transient(status)
	return httpx.Mark(err, status == http.StatusTooManyRequests, transient, r.Header, now)
}

// statusOfText returns the 4xx or 5xx status whose text is reason
// ("Forbidden", "Internal Server Error"), or 0.
func statusOfText(reason string) int {
	for s := 400; s <= 599; s++ {
		if t := http.StatusText(s); t != "" && strings.EqualFold(t, reason) {
			return s
		}
	}
	return 0
}

// htmlPage reports whether r, a 2xx, is an HTML page (by its Content-Type,
// or its first bytes without one): a captive portal's or a proxy's, not
// the workflow's answer. A workflow answers 202 Accepted without a body
// unless a Response action answers for it, and a workflow posting cards
// does not answer with a web page. The header decides, so a page cut off
// on its way is judged as well as a whole one.
func htmlPage(r *httpx.Response) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" && len(r.Body) > 0 {
		ct = http.DetectContentType(r.Body)
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// azureError reports whether body is Azure's error JSON,
// {"error":{"code":"…","message":"…"}}, which a workflow's trigger answers
// every refusal with (WorkflowNotFound,
// DirectApiInvalidAuthorizationSignature, …): a redirect, or a 401, 403, 404 or
// 405 without it, is another server's answer (httpx.Foreign), a proxy's
// page or a URL with a wrong host or path, not a workflow refusing it.
func azureError(body []byte) bool { return azureCode(body) != "" }

// azureCode is the code of body, Azure's error JSON; "" when body is not.
func azureCode(body []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// refusesURL reports whether body, the trigger's refusal, refuses the
// workflow URL itself. The URL is the trigger's only credential: its
// shared access signature (sp, sv, sig) authenticates the call
// (https://learn.microsoft.com/en-us/azure/logic-apps/logic-apps-securing-a-logic-app#generate-shared-access-signatures-sas),
// and a workflow deleted, or its URL regenerated, leaves no trigger at the
// old one. So DirectApiInvalidAuthorizationSignature (the signature is
// not the trigger's), DirectApiAuthorizationRequired (the URL has none)
// and WorkflowNotFound (no workflow at the URL's address). Not
// AuthorizationFailed (an Azure role's refusal, not the URL's) nor a
// refused request.
func refusesURL(body []byte) bool {
	switch azureCode(body) {
	case "DirectApiInvalidAuthorizationSignature", "DirectApiAuthorizationRequired", "WorkflowNotFound":
		return true
	}
	return false
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("teams.Channel", "teams.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
