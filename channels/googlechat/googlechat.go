// Package googlechat is a broadcast.Channel that posts incident updates to
// a Google Chat space through an incoming webhook (spaces.messages.create
// with the webhook's key and token).
//
// Each update is one message: its text is the update rendered with the
// "googlechat" template (TextTemplate, added to Config.Templates when the
// set has none) or Update.Overrides[name], in Google Chat's markup; with
// it, unless Config.NoCard is set, comes a status card (cardsV2): the
// title ("Correction: " before it for a correction), the status, the
// advice right after it, the impact, the next update, the affected
// components and a "View incident" button to the update's URL. The text carries the
// whole update, so a reader, a notification or a search without the card
// misses nothing. Google Chat's text markup has no escape: in user text,
// each "<", which would open a mention (<users/all> notifies everyone) or a
// link with forged text (<https://…|text>), is followed by a zero-width
// space, which makes it inert and stays invisible; so is each "*", "_",
// "~" and "`" that would open bold, italic, strikethrough or monospace
// (one that starts a word), while markers inside words (snake_case), on
// their own and in URLs stay as written (in links without a scheme too,
// "example.com/_next", from the "/" on, which Google Chat links as its
// users type them), so the text reads and searches as typed. Every post names that syntax (markupSyntax MARKUP_SYNTAX_CHAT,
// see MarkupSyntax): Google would otherwise read the text in the app's
// default syntax, which may be Markdown, where [text](url) is a link with
// forged text. The same holds for an Overrides text,
// which therefore cannot mention anyone or carry a link with text of its
// own either. Card text is HTML-escaped.
//
// The Receipt's ID is the message's resource name
// ("spaces/…/messages/…"); its Meta holds "message_id", the
// client-assigned id, and "thread", the thread's name, when Google's
// answer gives it. Where Google's answer does not name the message (an
// answer cut off before its name, a message id refused as known: then
// Meta holds no "thread"), the ID is the name Google gives the message
// by its client-assigned id ("spaces/…/messages/client-…"), which names
// it as well in every request.
//
// # Threading
//
// Every update of an incident is posted with thread.threadKey = the
// incident's IncidentID and messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD:
// the first starts a thread, later ones reply in it, so the channel threads
// to Root. The key comes from the update itself, so threading needs no
// Store; Message.Thread is not used. Spaces without threads show the
// updates one after another.
//
// # Corrections and retractions
//
// Incoming webhooks can only create messages: editing and deleting need a
// Chat app that authenticates with OAuth (as the app, or as a user), which
// this channel is not. It is neither a broadcast.Editor nor a
// broadcast.Retractor: Broadcaster.Correct posts the correction in the
// incident's thread, marked "Correction:" by the template, and
// Broadcaster.Retract reports broadcast.ErrNotSupported.
//
// # Limits
//
// The text is fitted to 4,096 characters, counted in UTF-16 code units
// (UTF16; an emoji counts 2, never less than Google's count), by the
// templates: the body is shortened first, the URL kept whole. The card's
// title is cut to 200 and its component list to 2,000 (the rest counted,
// "… and 3 more"). A message is at most 32,000 bytes: a card that would
// make it longer is left out, unless the text shows nothing (a template
// that renders none, with advice far past broadcast.MaxAdviceLength in a
// Message built without the Broadcaster): the message would be empty,
// and Send and Preview fail for good without posting. A text that shows nothing (a template that
// renders none, for some status) without a card (NoCard) would make a
// message Google refuses: New refuses such a template (Config.Templates),
// and Send fails for good without posting.
//
// Idempotency: each post carries requestId = Message.Key("") and
// messageId = "client-" and the same key (Google's client-assigned id:
// lower-case letters, digits and hyphens, at most 63 characters). A retry,
// also after a lost answer or a restart, repeats both: Google answers with
// the message it created, or refuses the known message id with 409
// ALREADY_EXISTS, which the channel counts as delivered (with a Receipt
// naming the message by its client-assigned id).
//
// # Errors
//
// Errors carry Google's status and message, as in "googlechat: post: http
// status 400 Bad Request: INVALID_ARGUMENT: Invalid JSON payload
// received.". 429 and RESOURCE_EXHAUSTED are transient with
// broadcast.RetryAfter: the retryDelay of a google.rpc.RetryInfo detail in
// the error when Google sends one, else Retry-After, else 30s (webhook
// quotas count per minute). UNAVAILABLE (503), ABORTED,
// DEADLINE_EXCEEDED, INTERNAL, 408 and every 5xx but 501 are transient,
// with that wait when present, as are transport errors but for a
// certificate that does not verify or a port that does not speak TLS;
// everything else is permanent: INVALID_ARGUMENT (400, a bad key among them),
// UNAUTHENTICATED (401, a bad token), PERMISSION_DENIED (403), NOT_FOUND
// (404, a deleted webhook or space); a bad key (the reason API_KEY_INVALID,
// "API key not valid") and UNAUTHENTICATED end in "(refused the
// credential: check Config.WebhookURL)". A redirect, or a 401, 403, 404 or 405
// without Google's JSON error (a proxy's page, a URL with a wrong path),
// is permanent too and says it is not Google Chat's answer, naming
// Config.WebhookURL. So is a 2xx whose body is not the Message Google
// created (a captive portal's page, judged by its first byte when longer
// than the channel reads or broken off: it must open a JSON object):
// nothing shows the update reached Google; and one that quotes the key
// or the token in the message's name or its thread's (a relay echoing
// the request), which the Receipt would carry, marked broadcast.Uncertain
// too: the message may have been created. A 2xx whose JSON breaks
// off (or that breaks off before its first byte) is a delivery, with a
// Receipt naming the message all the same: by the name it holds up to the
// cut, or else by the client-assigned id. An Update.URL that
// Update.Validate refuses (in a Message built without the Broadcaster) is
// a permanent error of Send and Preview, naming the field: the card's
// button would open a javascript: link, or nothing, or show a password.
//
// No error, Receipt or printed Config or Channel holds the key or the
// token: the URL is a redact.URL, the Channel prints as its name, and
// errors are redacted of the key, the token and the URL in every encoding
// redact.Redactor knows, also when Google echoes them.
//
// The channel is not a broadcast.Checker: an incoming webhook has no
// request that verifies its key and token without posting a message, so
// nothing short of a post can check it; New checks the URL's form.
//
// # URL form
//
// A channel URL (see ParseURL and Config.URL) is the webhook's URL with the
// scheme googlechat:
//
//	googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN
//	googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN&card=no&name=ops-chat
package googlechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// responseLimit bounds the part of a response the channel reads.
const responseLimit = 256 << 10

// Receipt.Meta keys.
const (
	metaThread    = "thread"
	metaMessageID = "message_id"
)

// Channel posts updates through a Google Chat incoming webhook. It is safe
// for concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by googlechat.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, the key and token included.
type state struct {
	hook   webhook
	noCard bool
	tmpl   *templates.Set
	client httpx.Client
	rd     *redact.Redactor // the key, the token and the webhook URL
	creds  *redact.Redactor // the key and the token alone: see quotesCredential
	now    func() time.Time
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
)

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "googlechat: Config.WebhookURL: missing"; the error names
// every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	w, name := cfg.validate(&f)
	set, err := setup.Templates(pkg, cfg.Templates, templateName, TextTemplate)
	if !f.Add(err) && name != "" { // else no template, or no name, to try
		f.Add(setup.Try(pkg, name, func(u broadcast.Update) error {
			_, err := messageText(set, name, u, cfg.NoCard)
			return err
		}))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	creds := redact.NewRedactor(redact.NewSecret(w.key), redact.NewSecret(w.token))
	s := &state{hook: w, noCard: cfg.NoCard, tmpl: set, now: time.Now, creds: creds,
		rd: creds.WithURL(cfg.WebhookURL)}
	s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed})
	return &Channel{name: name, s: s}, nil
}

// Name returns the channel's name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// Format prints the Channel as "googlechat.Channel(<name>)" under every
// verb: fmt would otherwise print the key and token it holds.
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "googlechat.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "googlechat.Channel(%s)", c.name)
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("googlechat: channel closed")

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

// Preview returns the text Send would post, measured in MaxText's unit,
// and the error Send would give before posting it.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	u = u.WithDefaults(c.s.now().UTC())
	text, err := render(c.s.tmpl, c.name, u, c.s.noCard)
	if err == nil {
		_, err = c.body(u, text)
	}
	return broadcast.Preview{Channel: c.name, Text: text, Length: UTF16(text), Limit: MaxText,
		Unit: "UTF-16 code units"}, err
}

// Send posts m.Update in the incident's thread, under the idempotency key
// m.Key("") (see the package documentation).
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("googlechat: post: %w", err)
	}
	m.Update = m.Update.WithDefaults(c.s.now().UTC()) // Key needs the ID
	u := m.Update
	text, err := render(c.s.tmpl, c.name, u, c.s.noCard)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	body, err := c.body(u, text)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	key := m.Key("")
	id := messageID(key)
	resp, err := c.post(ctx, body, key, id)
	switch {
	case duplicate(err):
		// An earlier attempt created it; the id names it too.
		return c.receipt(created{Name: "spaces/" + c.s.hook.space + "/messages/" + id}, id), nil
	case err != nil:
		return broadcast.Receipt{}, c.fail("post", err)
	}
	// The message's name is Google's word that it was created: a field
	// that does not read as expected stays empty (json.Unmarshal reads the
	// others), and does not make the post a failure.
	var got created
	if resp.Truncated {
		got = cutCreated(resp.Body)
	} else {
		_ = json.Unmarshal(resp.Body, &got)
	}
	if c.quotesCredential(got) {
		// Google names a message and its thread with ids of its own: an
		// answer that quotes the key or the token there echoes the
		// request, and its names would carry them into the Receipt. The
		// message may have been created all the same: a later attempt
		// looks for it (Uncertain).
		return broadcast.Receipt{}, c.fail("post", broadcast.Uncertain(broadcast.Permanent(&apiError{HTTP: resp.Status,
			Message: "an answer that quotes the webhook's key or token in the message's name", foreign: true})))
	}
	if !strings.HasPrefix(got.Name, "spaces/") {
		if resp.Truncated && !httpx.NotJSON(resp) {
			// Cut off before its name, on its way: delivered all the
			// same, and named by the client-assigned id the post carried,
			// which Google takes in place of its own in a message's name.
			// A cut page that does not open a JSON object is not Google's
			// answer, whose every part is.
			got.Name = "spaces/" + c.s.hook.space + "/messages/" + id
			return c.receipt(got, id), nil
		}
		// Google answers with the Message it created: this is another
		// server's page (a captive portal's), and the update is not shown
		// to have reached Google. httpx leaves a 2xx as it came: the page
		// is redacted before it is cut, so that no part of a secret stays.
		return broadcast.Receipt{}, c.fail("post", broadcast.Permanent(&apiError{HTTP: resp.Status,
			Message: httpx.BodySnippet(c.s.rd, resp), foreign: true}))
	}
	return c.receipt(got, id), nil
}

// body returns the JSON body of u's message, whose text is text (see
// encode).
func (c *Channel) body(u broadcast.Update, text string) ([]byte, error) {
	msg := message{Text: text, MarkupSyntax: MarkupSyntax, Thread: thread{ThreadKey: u.IncidentID}}
	if !c.s.noCard {
		msg.CardsV2 = []cardV2{statusCard(u)}
	}
	return encode(msg)
}

// quotesCredential reports whether got, read from a 2xx answer, holds the
// webhook's key or token, in any encoding redact.Redactor knows, in the
// names the Receipt would carry. The space's id, which Google's names
// hold, is no credential.
func (c *Channel) quotesCredential(got created) bool {
	for _, s := range []string{got.Name, got.Thread.Name} {
		if c.s.creds.Holds(s) {
			return true
		}
	}
	return false
}

func (c *Channel) receipt(got created, id string) broadcast.Receipt {
	r := broadcast.Receipt{Channel: c.name, ID: got.Name, Time: c.s.now().UTC(),
		Meta: map[string]string{metaMessageID: id}}
	if got.Thread.Name != "" {
		r.Meta[metaThread] = got.Thread.Name
	}
	return r
}

// post makes the one request of a Send and classifies the answer. Its
// errors are not yet redacted: see fail.
func (c *Channel) post(ctx context.Context, body []byte, key, id string) (*httpx.Response, error) {
	q := url.Values{"key": {c.s.hook.key}, "token": {c.s.hook.token},
		"messageReplyOption": {ReplyOption}, "messageId": {id}, "requestId": {key}}
	target := c.s.hook.scheme + "://" + c.s.hook.host + "/v1/spaces/" + c.s.hook.space + "/messages?" + q.Encode()
	req, err := httpx.NewRequest(ctx, http.MethodPost, target, body, "application/json; charset=UTF-8")
	if err != nil {
		return nil, broadcast.Permanent(err)
	}
	// The status line decides: a 2xx whose answer breaks off is a post
	// made, and a retry would make it again.
	resp, err := httpx.DoStatus(c.s.client, req, responseLimit, 0, c.s.rd)
	if err != nil {
		return nil, err
	}
	return resp, classify(resp, c.s.now())
}

// fail is the one place errors leave the channel: named by op, once (see
// httpx.Op: a transport error names its method, "post: …"), and redacted
// of the key, the token and the webhook URL.
func (c *Channel) fail(op string, err error) error {
	return c.s.rd.Error(fmt.Errorf("googlechat: %w", httpx.Op(op, err)))
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("googlechat.Channel", "googlechat.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
