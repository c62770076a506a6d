// Package discord is a broadcast.Channel that posts incident updates to a
// Discord channel through a webhook (Execute Webhook, with wait=true so that
// Discord answers with the message it created).
//
// Each update is one message: its content is the update's text, rendered
// with the "markdown" template (or Update.Overrides[name]; none when the
// template shows nothing for the update, templates.ErrBlank, and an edit
// then clears the original's), and one embed is the incident's status
// card: the title ("Correction: " before it for a
// correction's message), linked to the update's URL, a
// colour by impact (grey none, yellow minor, orange major, red critical,
// blue maintenance; green once resolved or completed), the status, the
// impact, the next update (in UTC, and how far off it is), what readers can do
// (Update.Advice, under templates.AdviceLabel), and the affected
// components. User text is escaped for Discord's markdown, so a title
// cannot format the message, forge a link or spell a mention (its URLs are
// written as they are, which Discord links whole), and every
// message and edit carries allowed_mentions {"parse": []}, so nothing in it
// pings anyone (@everyone, @here, roles or users). An Overrides text is
// sent as written, Discord markdown and all; it cannot ping either.
//
// The Receipt's ID is the message's id; its Meta holds "channel_id" (the
// channel or thread the message is in), "webhook_id" (the webhook that
// posted it) and, for a message in a thread, "thread_id". Its URL links
// to the message: a message link names the guild, which Discord's answer
// to a post does not (its message objects have no guild_id), and the
// webhook object does (Get Webhook with Token). The Channel learns it
// from Check, or else asks for it once, after the first message it posts
// or edits: one request more per Channel, which a Send whose post
// succeeded never fails for (when Discord fails it for a while, a 5xx,
// a later call asks again a minute after; when Discord refuses it, none
// does). While it is unknown (that request refused or failed, still
// under way for another call, or held by a rate limit) the URL is
// empty; an Edit's Receipt links to the message once the guild is known.
//
// # Threading
//
// Discord webhooks cannot reply to a message. In a text channel each update
// is a new message, and each later update of an incident also edits the
// status card of the incident's first post (Message.Thread.Root) to show
// the current status, marked "Current status" (Config.NoRootUpdate turns
// that off; a correction of an update earlier than the latest, posted
// anew, leaves it, as it is no newer status). That edit is best effort:
// the update is delivered when its message is, and an edit that fails is
// noted in the Receipt's Meta as
// "root_update" instead of failing the Send, whose retry would post the
// update twice. An edit answered with anything but the message edited (a
// captive portal's 200 page) failed too, as another server's answer.
//
// With Config.Forum, the webhook's channel is a forum: an incident's first
// update starts a forum post titled by the incident (thread_name, with
// Config.ForumTags applied), and later updates are posted into that post's
// thread (thread_id = Thread.Root's thread), so the channel threads to Root.
// When that post is gone (deleted, or locked, closed or left open, by a
// moderator: a webhook's post reopens an archived post, not a locked one,
// and Discord refuses it with 50083 or 160005), the update starts a new
// one, and the incident's later updates go on in that one
// (the thread of Message.Thread.Last), whose first message's status card
// they edit.
// With Config.ThreadID, every update of every incident goes into that one
// existing thread.
//
// # Corrections and retractions
//
// The channel is a broadcast.Editor: Broadcaster.Correct edits the
// original update's message in place (Edit Webhook Message), content and
// status card; when that message is the incident's first post and later
// updates exist, its card, which shows the current status, is kept
// (unless Config.NoRootUpdate is set: its card is then its own), and
// when it is the incident's latest update, the first post's card is
// brought to the correction's status (best effort, as after a Send). It is
// a broadcast.Retractor: Broadcaster.Retract deletes the message (Delete
// Webhook Message); a message already gone (404 Unknown Message, or its
// thread deleted) counts as deleted. A webhook can only edit and delete its
// own messages, and Discord answers Unknown Message for another's: a
// message posted through another webhook than Config.WebhookURL's (the
// URL changed since) is not edited, Edit failing with
// broadcast.ErrNotEditable (the Broadcaster posts the correction anew),
// as it fails when Discord answers 50005 ("Cannot edit a message authored
// by another user"), nor deleted, Retract failing for good and saying to delete it by hand.
//
// A message in an archived thread (a forum post Discord archived after a
// while without posts) can be deleted, as Discord documents, but not one
// in a thread both archived and locked (closed by a moderator), and a
// webhook cannot reopen a thread but by posting in it, which a retraction
// does not do: Discord answers 400 "Thread is archived" (50083), or
// "Thread is locked" (160005) (its list of JSON error codes gives them no
// status, and the channel goes by the code), and Retract fails for good, saying that the
// message is still up, until a moderator reopens the thread and the update
// is retracted again, or the message is deleted by hand.
//
// Retracting the update whose status the first post's card shows (the
// incident's latest) sets the card back to the status of the latest
// earlier update still up, or of the first post's own: a "Resolved"
// posted by mistake and retracted no longer shows as the current status.
// Retract reads the message it deletes and the card (Get Webhook
// Message), and leaves the card when it shows another update than the
// message (a later one); a correction edited in changes both. Like the
// card's other updates, this is best effort: the deletion is what
// Retract reports. It needs the receipts' Meta ("card_of", "card_sum",
// "card_before", "first_form": where the card is, what it showed, the
// messages before, and the first post's own card, compact); a receipt
// made without them leaves the card, and one made with the whole first
// card as JSON ("first_card", as earlier versions wrote it) still sets it
// back. The first post's own card is read from it (Get Webhook Message)
// by the update that takes its card over, just before: a correction of
// the first update edited in while it was the incident's only one is set
// back as corrected. One edited in later, while the card shows a later
// update, is not: the card is kept then, and no receipt of a later update
// changes.
//
// # Limits
//
// Discord counts characters as Unicode code points. The content is fitted
// to 2,000 characters by the templates (the body shortened first, the URL
// kept whole, or left to the card's title, which links to it, when the
// content cannot hold it whole); in the status card the title is cut to 256 characters, the
// component list to 1,024 (the rest counted, "… and 3 more"), and the card
// as a whole is kept within Discord's embed limits (description 4,096,
// field names 256, footer 2,048, 25 fields, 6,000 in total). A forum
// post's title is the incident's title cut to 100 characters.
//
// Discord's rate limits are kept: an answer, a success too, saying that a
// route's bucket is used up (X-RateLimit-Remaining: 0) holds the
// channel's next request to a route of that bucket (X-RateLimit-Bucket),
// or to a route no answer placed in a bucket yet, until it refills
// (X-RateLimit-Reset-After, at most an hour), as Discord would refuse it
// with a 429, and bans for a while an IP address that makes too many
// invalid requests (401, 403, 429). A 429 holds its route's bucket for
// the wait it names (retry_after), also when the bucket is not used up
// (a limit of the resource, X-RateLimit-Scope: shared). A global rate limit (a 429 with
// X-RateLimit-Global: true, X-RateLimit-Scope: global or "global": true),
// and such a ban (Cloudflare's error 1015, see Errors), hold every route
// of the webhook for its wait; the error of a request held back names
// what holds it (the bucket, the global limit, or the edge's ban). What a
// bucket has left
// is kept too, the fewest said until it refills, and a request made and
// not yet answered counts as one of them, so that two posts made together
// with one left do not both go: the second waits for the refill. A
// request to a route no answer placed in a bucket yet looks again at its
// route once its wait ends: an answer that placed the route meanwhile in
// a bucket used up holds it until that bucket refills. A wait
// that would leave
// the request less than 10 seconds before the context's deadline (or less
// than half the time the context has left, when that is shorter) is not
// begun, and one the context ends fails: the request is not made, and fails
// transient, with broadcast.RetryAfter the time left. A wait the
// Channel's Close ends fails at once with ErrClosed, permanent. Each
// Channel keeps its own buckets: two Channels built for one webhook do
// not share them (Discord counts per webhook; build one Channel per
// webhook and share it, as it is safe for concurrent use).
//
// Discord webhooks take no idempotency key. A retry after a lost answer
// (Discord created the message, the answer never arrived) posts the update
// again; in forum mode a retry of an incident's first update starts a
// second post. The Broadcaster retries only failed attempts, so this takes
// a network failure after Discord's commit.
//
// # Errors
//
// Errors carry Discord's message and JSON error code, as in "discord:
// post: http status 404 Not Found: Unknown Webhook (code 10015)". A 429 is
// transient with broadcast.RetryAfter: the retry_after of its body
// (seconds, with a fraction), else X-RateLimit-Reset-After, else
// Retry-After, else 30s (a wait of 0 names none: the next is read);
// global limits included, and Discord's codes for limits that pass with
// time (slow mode, write limits, edits of old messages, an overloaded
// API) alike, and so is a ban of the IP address by Discord's edge
// (Cloudflare) after too many invalid requests: a 403 (or 429) with
// Cloudflare's page for its error 1015, "You are being rate limited"
// (or "error code: 1015"), waits Retry-After, else 30s, as Discord
// documents no length for it. 408 and 5xx but 501 are transient,
// with Discord's wait when it gives one (retry_after, Retry-After; not
// X-RateLimit-Reset-After, which says when the route's rate limit bucket
// refills); transport errors are transient, but for a certificate that
// does not verify or a port that does not speak TLS, which are permanent.
// Every other refusal is permanent: 401 (Invalid Webhook Token), 403 (50013 Missing Permissions), 404 (Unknown Webhook,
// 10015), 400 (Invalid Form Body, whose refused fields the error names;
// a forum channel without Config.Forum, 220001, says so, and a forum that
// requires a tag, 40067, names Config.ForumTags) and 40333 ("internal network error" in its
// message, which Discord documents as its edge, Cloudflare, blocking the
// request, and not as passing with time: the error says so); a refusal
// of the webhook's URL itself (401, 50027 Invalid Webhook Token, 10015
// Unknown Webhook) ends in "(refused the credential: check
// Config.WebhookURL)". A redirect, or a
// 401, 404 or 405 without Discord's JSON error, is another server's
// answer: its error says so, names Config.WebhookURL, and where a redirect
// pointed. So is a 2xx whose whole body is not the message Discord
// created or edited (a captive portal's page), a deletion answered
// otherwise than 204 No Content with a body, and a Check answered without
// JSON or without a webhook's id in it (an answer with another webhook's
// id says it is about another webhook): Discord answers a post with wait=true, and an edit, with the
// message, so nothing shows the update reached it (a post's answer that
// is JSON but no message, a relay's echo of the request, is marked
// broadcast.Uncertain too: the message may have been made). Any other 403
// without Discord's JSON error (a firewall rule's, Cloudflare's error
// 1020) is its edge (Cloudflare) blocking the IP address the request came
// from, or a proxy on the way: its error says so, and that the webhook is
// not at fault. A 2xx whose body
// breaks off is a delivery, with a Receipt without ID: retrying it would
// post twice. Such a message cannot be edited or deleted: Edit fails with
// broadcast.ErrNotEditable (the Broadcaster posts the correction anew),
// Retract for good.
//
// No error, Receipt or printed Config or Channel holds the webhook's
// token: the URL is a redact.URL, the Channel prints as its name, and the
// errors are redacted of the token and the URL in every encoding
// redact.Redactor knows, also when Discord echoes them. Check
// (broadcast.Checker) gets the webhook (Get Webhook with Token), which
// verifies the URL without posting.
//
// # URL form
//
// A channel URL (see ParseURL and Config.URL) holds the token and the
// webhook's id, the last two parts of the webhook's URL:
//
//	discord://TOKEN@WEBHOOK_ID
//	discord://TOKEN@WEBHOOK_ID?forum=yes&forum_tags=1234567890123456789
//	discord://TOKEN@WEBHOOK_ID?thread_id=1234567890123456789&username=Status&root_update=no
package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/ctxwait"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// UserAgent is sent with every request, in the form Discord asks of bots.
const UserAgent = "DiscordBot (https://github.com/outagecast/outagecast, 1)"

// responseLimit bounds the part of a response the channel reads: a message
// object with its embed is a few kilobytes.
const responseLimit = 256 << 10

// Receipt.Meta keys.
const (
	metaChannel    = "channel_id"
	metaThread     = "thread_id"
	metaRootUpdate = "root_update"
	metaWebhook    = "webhook_id" // the webhook that posted the message
)

// Channel posts updates through a Discord webhook. It is safe for
// concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by discord.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, the token included.
type state struct {
	hook   webhook
	cfg    Config
	tmpl   *templates.Set
	client httpx.Client
	rd     *redact.Redactor // the token and the webhook URL
	token  *redact.Redactor // the token alone: see card
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	limits *buckets               // the webhook's rate limit buckets
	guild  atomic.Pointer[string] // the webhook's guild, once an answer named it (see link)
	asking atomic.Bool            // a call asks for the guild (see learnGuildOnce)
	askAt  atomic.Int64           // no question for the guild before this time (Unix ns; math.MaxInt64: never)
	// beforeAsk, when set (tests), runs just before a question for the
	// guild reserves its request.
	beforeAsk func()
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "discord: Config.WebhookURL: missing"; the error names
// every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	w, name := cfg.validate(&f)
	token := redact.NewRedactor(redact.NewSecret(w.token))
	s := &state{hook: w, cfg: cfg, tmpl: cfg.Templates, now: time.Now, sleep: ctxwait.Sleep, token: token,
		rd: token.WithURL(cfg.WebhookURL), limits: newBuckets()}
	s.cfg.ForumTags = append([]string(nil), cfg.ForumTags...)
	if s.tmpl == nil {
		s.tmpl = templates.Default()
	}
	if name != "" { // else refused: no name to try the templates for
		f.Add(setup.Try(pkg, name, func(u broadcast.Update) error {
			_, err := content(s.tmpl, name, u)
			return err
		}))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
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

// Format prints the Channel as "discord.Channel(<name>)" under every verb:
// fmt would otherwise print the token it holds.
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "discord.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "discord.Channel(%s)", c.name)
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("discord: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). A call waiting for a rate
// limit to reset fails with ErrClosed at once, permanent and not
// Uncertain. Later calls fail with ErrClosed. It then releases the idle
// connections of the channel's own client; a client given in Config is
// left alone. Calling it again does nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// Preview returns the content Send would post, measured in Discord's unit.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	text, err := render(c.s.tmpl, c.name, u.WithDefaults(c.s.now().UTC()))
	return broadcast.Preview{Channel: c.name, Text: text, Length: runes(text), Limit: MaxContent,
		Unit: "characters"}, err
}

// Send posts m.Update as a new message, in the incident's forum post or in
// Config.ThreadID when set, and then brings the status card of the
// incident's first post up to date (see the package documentation).
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("discord: post: %w", err)
	}
	u := m.Update.WithDefaults(c.s.now().UTC())
	content, err := render(c.s.tmpl, c.name, u)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	msg := message{Content: content, Username: c.s.cfg.Username, AvatarURL: c.s.cfg.AvatarURL,
		Embeds: []embed{statusEmbed(u, false)}, AllowedMentions: noMentions}
	resp, thread, root, err := c.post(ctx, msg, u, m.Thread)
	if err != nil {
		return broadcast.Receipt{}, c.fail("post", err)
	}
	r, err := c.receipt(resp, thread)
	if err != nil {
		return broadcast.Receipt{}, c.fail("post", err)
	}
	if !c.s.cfg.NoRootUpdate && !snowflake(root.ID) && r.ID != "" {
		setFirstCard(&r, u) // the first of the incident's post: its own card is the current
	}
	if m.Current() {
		first := c.firstCard(ctx, root, m.Thread.Last, r.ID) // before the card shows u
		if c.updateRoot(ctx, root, u, &r) {
			chainCard(&r, root, m.Thread.Last, first)
		}
	}
	c.link(ctx, &r)
	return r, nil
}

// link sets r's URL to its message's,
// https://discord.com/channels/<guild>/<channel>/<message>, once the
// Channel knows the webhook's guild (see learnGuildOnce). Discord's
// message objects name no guild (see posted); the webhook object does
// (Get Webhook with Token,
// https://discord.com/developers/docs/resources/webhook#get-webhook-with-token),
// and a webhook stays in its guild.
func (c *Channel) link(ctx context.Context, r *broadcast.Receipt) {
	channel := r.Meta[metaChannel]
	if !snowflake(r.ID) || !snowflake(channel) {
		return
	}
	c.learnGuildOnce(ctx)
	if guild := c.s.guild.Load(); guild != nil {
		r.URL = "https://discord.com/channels/" + *guild + "/" + channel + "/" + r.ID
	}
}

// learnGuildOnce asks Discord for the webhook (Get Webhook with Token),
// whose guild links the Channel's messages, when neither Check nor an
// earlier question learnt it: once per Channel when Discord answers it,
// so that a webhook whose question is refused costs no request per Send.
// A question that failed for a while only (a 5xx, a 429, a transport
// error, the caller's deadline passing) is asked again by a call
// guildRetry after it (or after the wait Discord named), and one the
// caller cancelled is left to the next call: else the Channel's Receipts would go without links for the rest
// of the process's life. The question is not asked, and kept for a later
// call, when ctx has ended or a rate limit holds its route when it
// reserves its request (which never waits: see buckets.tryReserve): the
// update is delivered already, and its Receipt waits for no link. A call made
// while another's question is under way does not wait for it either. Its
// error is dropped: the link is a convenience, and the question's own
// request is redacted like every other.
func (c *Channel) learnGuildOnce(ctx context.Context) {
	if c.s.guild.Load() != nil || ctx.Err() != nil || c.s.now().UnixNano() < c.s.askAt.Load() ||
		!c.s.asking.CompareAndSwap(false, true) {
		return
	}
	defer c.s.asking.Store(false)
	if c.s.guild.Load() != nil || c.s.now().UnixNano() < c.s.askAt.Load() { // another call's question answered meanwhile
		return
	}
	if c.s.beforeAsk != nil {
		c.s.beforeAsk()
	}
	// The request is reserved only if no limit holds it, in the step that
	// looks (buckets.tryReserve): a request that took the bucket between a
	// look and a reservation would make this one wait for the refill.
	resp, err := c.doReserved(ctx, http.MethodGet, "", nil, nil, func(rt string) (*ratelimit.Reservation, error) {
		if r := c.s.limits.tryReserve(rt, c.s.now()); r != nil {
			return r, nil
		}
		return nil, errHeld
	})
	switch {
	case errors.Is(err, errHeld):
		// A rate limit holds the route: the next call asks.
	case err == nil:
		c.learnGuild(resp)
		c.s.askAt.Store(math.MaxInt64) // answered: a webhook without a guild names none later
	case errors.Is(ctx.Err(), context.Canceled):
		// The caller gave up (a deadline passing is Discord slow, below):
		// the next call asks.
	case broadcast.IsPermanent(err):
		c.s.askAt.Store(math.MaxInt64) // refused (or the Channel closed)
	default:
		wait := guildRetry
		if d, ok := broadcast.RetryDelay(err); ok && d > wait {
			wait = d
		}
		c.s.askAt.Store(c.s.now().Add(wait).UnixNano())
	}
}

// guildRetry is how long after a question for the guild that failed for
// a while only (see learnGuildOnce) the Channel asks again: at most one
// request of its own a minute while Discord fails it.
const guildRetry = time.Minute

// learnGuild keeps the guild that resp, Get Webhook's answer, names, if
// it is about this webhook.
func (c *Channel) learnGuild(resp *httpx.Response) {
	var w webhookInfo
	if json.Unmarshal(resp.Body, &w) == nil && snowflake(w.ID) && canonicalID(w.ID) == c.s.hook.id && snowflake(w.GuildID) {
		c.s.guild.Store(&w.GuildID)
	}
}

// post posts msg in the thread of t.Root. In forum mode, when that post is
// gone (deleted, or locked, by a moderator), it posts in the post an update after the
// deletion started (t.Last's thread: the Store keeps the gone post as
// Root), else starts a new one; once t.Last is in another post than
// t.Root, that post is tried first, with no request to the gone one. It
// returns the thread posted in ("" for a new post) and the first message
// of the incident's post there.
func (c *Channel) post(ctx context.Context, msg message, u broadcast.Update, t broadcast.Thread) (*httpx.Response, string, broadcast.Receipt, error) {
	roots := []broadcast.Receipt{t.Root}
	if c.s.cfg.Forum {
		last := starter(t.Last)
		roots = append(roots, last, broadcast.Receipt{})
		if moved := c.thread(last); moved != "" && moved != c.thread(t.Root) {
			roots[0], roots[1] = last, t.Root
		}
	}
	var gone []string
	for _, root := range roots {
		thread := c.thread(root)
		if thread != "" && slices.Contains(gone, thread) {
			continue
		}
		resp, err := c.execute(ctx, msg, u, thread)
		// A post deleted, or locked, closed (a webhook's post reopens an
		// archived thread, not a locked one) or left open, takes no more
		// updates.
		if err == nil || !c.s.cfg.Forum || thread == "" || !hasCode(err, codeUnknownChannel, codeThreadArchived, codeThreadLocked) {
			return resp, thread, root, err
		}
		gone = append(gone, thread)
	}
	return nil, "", broadcast.Receipt{}, errors.New("no forum post to post in") // not reached: the last root starts one
}

// starter is the first message of the forum post that last is in: it has
// its thread's id.
func starter(last broadcast.Receipt) broadcast.Receipt {
	thread := last.Meta[metaThread]
	if !snowflake(thread) {
		return broadcast.Receipt{}
	}
	return broadcast.Receipt{ID: thread, Meta: map[string]string{metaThread: thread}}
}

// execute posts msg into thread or, in forum mode without a thread, as a
// new forum post titled by u.
func (c *Channel) execute(ctx context.Context, msg message, u broadcast.Update, thread string) (*httpx.Response, error) {
	q := url.Values{"wait": {"true"}}
	switch {
	case thread != "":
		q.Set("thread_id", thread)
	case c.s.cfg.Forum:
		msg.ThreadName, msg.AppliedTags = threadName(u), c.s.cfg.ForumTags
	}
	return c.do(ctx, http.MethodPost, "", q, msg)
}

// thread returns the thread_id of a new post: Config.ThreadID, or in forum
// mode the thread of the incident's first post; "" for none.
func (c *Channel) thread(root broadcast.Receipt) string {
	switch {
	case c.s.cfg.ThreadID != "":
		return c.s.cfg.ThreadID
	case !c.s.cfg.Forum || root.ID == "":
		return ""
	case snowflake(root.Meta[metaThread]):
		return root.Meta[metaThread]
	case snowflake(root.ID):
		return root.ID // a forum post's first message has its thread's id
	}
	return ""
}

// receipt reads the message Discord created. An answer cut off on its way
// still means a delivery, without an id: retrying it would post again. A
// whole answer that is not a message is another server's (a captive
// portal's page): with wait=true, Discord answers a message it created
// with that message, so nothing shows this one reached Discord; an answer
// that is JSON all the same (a relay's echo of the request) may follow a
// message made, and is marked Uncertain too.
func (c *Channel) receipt(resp *httpx.Response, thread string) (broadcast.Receipt, error) {
	r := broadcast.Receipt{Channel: c.name, Time: c.s.now().UTC(), Meta: map[string]string{metaWebhook: c.s.hook.id}}
	var p posted
	if json.Unmarshal(resp.Body, &p) != nil || !snowflake(p.ID) {
		if resp.Truncated {
			return r, nil
		}
		if !httpx.NotJSON(resp) {
			// JSON but no message of Discord's (a relay's echo of the
			// request): the message may have been made, and a later
			// attempt looks for it.
			return broadcast.Receipt{}, broadcast.Uncertain(c.notDiscord(resp))
		}
		return broadcast.Receipt{}, c.notDiscord(resp)
	}
	r.ID = p.ID
	// A channel id that is no Discord id is not taken: an answer that
	// echoed the request there would carry the token into the Receipt.
	if snowflake(p.ChannelID) {
		r.Meta[metaChannel] = p.ChannelID
		if thread == "" && c.s.cfg.Forum {
			thread = p.ChannelID // the post's new thread
		}
	}
	if thread != "" {
		r.Meta[metaThread] = thread
	}
	return r, nil
}

// isMessage reports whether resp, a 2xx, holds a Discord message, or was
// cut off on its way (a message made all the same).
func isMessage(resp *httpx.Response) bool {
	var p posted
	return resp.Truncated || json.Unmarshal(resp.Body, &p) == nil && snowflake(p.ID)
}

// notDiscord is the error of a whole 2xx answer that is not Discord's (a
// captive portal's page): Permanent, naming Config.WebhookURL. httpx
// leaves a 2xx as it came: the page is redacted before it is cut, so that
// no part of the token stays at the cut.
func (c *Channel) notDiscord(resp *httpx.Response) error {
	page := httpx.BodySnippet(c.s.rd, resp)
	return broadcast.Permanent(&apiError{Status: resp.Status, detail: page, foreign: true})
}

// updateRoot edits the status card of the incident's first post to show
// u's status, and reports whether it did. It is best effort: the update
// is delivered already, so a failure is noted in r's Meta rather than
// returned.
func (c *Channel) updateRoot(ctx context.Context, root broadcast.Receipt, u broadcast.Update, r *broadcast.Receipt) bool {
	if c.s.cfg.NoRootUpdate || !snowflake(root.ID) || root.ID == r.ID {
		return false
	}
	if c.otherWebhook(root) {
		r.Meta[metaRootUpdate] = "skipped: the first post was made through another webhook"
		return false
	}
	card := statusEmbed(u, true)
	body := message{Embeds: []embed{card}, AllowedMentions: noMentions}
	resp, err := c.do(ctx, http.MethodPatch, "/messages/"+root.ID, threadQuery(root.Meta[metaThread]), body)
	if err == nil && !isMessage(resp) {
		err = c.notDiscord(resp) // Discord answers an edit with the message
	}
	switch {
	case err == nil:
		r.Meta[metaCardOf], r.Meta[metaCardSum] = root.ID, cardSum(card)
		if t := root.Meta[metaThread]; t != "" {
			r.Meta[metaCardThread] = t
		}
		return true
	case hasCode(err, codeUnknownMessage, codeUnknownChannel):
		r.Meta[metaRootUpdate] = "skipped: the first post is gone"
	default:
		r.Meta[metaRootUpdate] = "failed: " + c.fail("update the first post", err).Error()
	}
	return false
}

// mayEditRoot reports whether updateRoot edits the card of root for the
// message id.
func (c *Channel) mayEditRoot(root broadcast.Receipt, id string) bool {
	return !c.s.cfg.NoRootUpdate && snowflake(root.ID) && root.ID != id && !c.otherWebhook(root)
}

// Edit replaces the message of prev, this channel's post of an earlier
// update, with m.Update: its content and, unless prev is the first
// message of the incident's post (in a forum, of the post that took the
// updates after the first was gone) whose card shows a later status, its
// status card. A message
// (or its thread) deleted by hand fails with broadcast.ErrPostGone, one in
// an archived or locked thread, one Discord says another user authored
// (50005), or one whose id is unknown (its answer was cut
// off), with broadcast.ErrNotEditable: the Broadcaster then posts the
// correction anew. A correction of the incident's latest update also
// brings the first post's status card to its status, as Send does (best
// effort, noted in the Receipt's Meta as "root_update").
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("discord: edit: %w", err)
	}
	if prev.ID == "" {
		// Delivered, its answer cut off (see receipt): the Broadcaster
		// posts the correction anew.
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("discord: edit: %w: the message's id is unknown (its answer was cut off)",
			broadcast.ErrNotEditable))
	}
	if !snowflake(prev.ID) {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("discord: edit: the receipt holds no Discord message id"))
	}
	if c.otherWebhook(prev) {
		// Discord would answer Unknown Message: the Broadcaster posts the
		// correction anew.
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("discord: edit: %w: %w",
			broadcast.ErrNotEditable, errOtherWebhook))
	}
	u := m.Update.WithDefaults(c.s.now().UTC())
	content, err := render(c.s.tmpl, c.name, u)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	body := editMessage{Content: content, AllowedMentions: noMentions}
	// The card of the message that shows the current status (the first
	// of the incident's post) is kept while a later update set it; with
	// NoRootUpdate no card shows more than its own update.
	t := m.Thread
	if c.s.cfg.NoRootUpdate || cardOf(t.Root, prev, c.s.cfg.Forum).ID != prev.ID || t.Last.ID == "" || t.Last.ID == prev.ID {
		body.Embeds = []embed{statusEmbed(u, false)}
	}
	resp, err := c.do(ctx, http.MethodPatch, "/messages/"+prev.ID, threadQuery(prev.Meta[metaThread]), body)
	if err == nil && !isMessage(resp) {
		err = c.notDiscord(resp)
	}
	if err != nil {
		switch {
		case hasCode(err, codeUnknownMessage, codeUnknownChannel):
			// Deleted by hand: the Broadcaster posts the correction anew.
			err = fmt.Errorf("%w: %w", broadcast.ErrPostGone, err)
		case hasCode(err, codeThreadArchived, codeThreadLocked, codeOthersMessage):
			// Likewise, in the thread, which the post unarchives, or
			// (locked) in a new forum post; a message not this
			// webhook's to edit stays as it is.
			err = fmt.Errorf("%w: %w", broadcast.ErrNotEditable, err)
		}
		return broadcast.Receipt{}, c.fail("edit", err)
	}
	r := broadcast.Receipt{Channel: c.name, ID: prev.ID, URL: prev.URL, Time: c.s.now().UTC(),
		Meta: maps.Clone(prev.Meta)}
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	if r.URL == "" {
		c.link(ctx, &r) // posted before the guild was known
	}
	if t.Last.ID == prev.ID && t.Root.ID != "" && t.Root.ID != prev.ID {
		// The first post's card shows the latest update's status, which
		// the correction changes.
		delete(r.Meta, metaRootUpdate)
		_ = c.updateRoot(ctx, cardOf(t.Root, prev, c.s.cfg.Forum), u, &r)
	}
	return r, nil
}

// cardOf is the first message of the incident's post that prev is in: the
// one whose status card shows the current status. In a forum that is the
// first message of prev's thread (a later post, once the first was gone);
// elsewhere root.
func cardOf(root, prev broadcast.Receipt, forum bool) broadcast.Receipt {
	if s := starter(prev); forum && s.ID != "" {
		return s
	}
	return root
}

// Retract deletes the message of prev. A message already gone is not an
// error; one in a thread Discord keeps closed (archived and locked) fails
// for good, saying so.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("discord: delete: %w", err)
	}
	if !snowflake(prev.ID) {
		return broadcast.Permanent(errors.New("discord: delete: the receipt holds no Discord message id"))
	}
	if c.otherWebhook(prev) {
		// Discord would answer Unknown Message, as for a message deleted:
		// this one is still up.
		return broadcast.Permanent(fmt.Errorf("discord: delete: %w: delete it by hand", errOtherWebhook))
	}
	shown := c.ownCard(ctx, prev) // read before it is gone: see restoreCard
	resp, err := c.do(ctx, http.MethodDelete, "/messages/"+prev.ID, threadQuery(prev.Meta[metaThread]), nil)
	if err == nil && resp.Status != http.StatusNoContent && len(resp.Body) > 0 {
		err = c.notDiscord(resp) // Discord answers a deletion with 204 No Content
	}
	if err == nil || hasCode(err, codeUnknownMessage, codeUnknownChannel) {
		c.restoreCard(ctx, prev, shown)
		return nil
	}
	if hasCode(err, codeThreadArchived, codeThreadLocked) {
		err = broadcast.Permanent(fmt.Errorf("%w: %s", err, errClosedThread))
	}
	return c.fail("delete", err)
}

// errClosedThread says why a deletion Discord refused as in an archived
// or locked thread failed for good.
const errClosedThread = "the message is still up: its thread (forum post) is archived or locked, " +
	"and a webhook cannot reopen it without posting in it; once a moderator reopens it, retract the update again, " +
	"or delete the message by hand"

// Check gets the webhook with its token, which verifies the URL and the
// token without posting, and learns the webhook's guild, which later
// Receipts' URLs name (Send and Edit then ask no more for it).
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("discord: check: %w", err)
	}
	resp, err := c.do(ctx, http.MethodGet, "", nil, nil)
	if err != nil {
		return c.fail("check", err)
	}
	var w webhookInfo
	switch {
	case json.Unmarshal(resp.Body, &w) != nil || !snowflake(w.ID):
		// Discord answers with the webhook, whose id it always gives.
		return c.fail("check", c.notDiscord(resp))
	case canonicalID(w.ID) != c.s.hook.id:
		return broadcast.Permanent(errors.New("discord: check: the answer is about another webhook"))
	case w.Type == 2:
		return broadcast.Permanent(errors.New("discord: check: a channel follower webhook cannot be executed"))
	}
	c.learnGuild(resp)
	return nil
}

// errOtherWebhook is the error of an edit or a deletion of a message
// another webhook posted.
var errOtherWebhook = errors.New("the message was posted through another webhook " +
	"(Config.WebhookURL changed since), and a webhook edits and deletes only its own messages")

// otherWebhook reports whether r, a receipt of this channel's, names a
// message posted through another webhook than Config.WebhookURL's. A
// receipt without a webhook_id (made before it was recorded) is taken for
// this webhook's.
func (c *Channel) otherWebhook(r broadcast.Receipt) bool {
	w := r.Meta[metaWebhook]
	return w != "" && canonicalID(w) != c.s.hook.id
}

// threadQuery is the query of a request about a message in thread ("":
// none).
func threadQuery(thread string) url.Values {
	if !snowflake(thread) {
		return nil
	}
	return url.Values{"thread_id": {thread}}
}

// do makes one request to the webhook's route path, once the route's rate
// limit bucket has refilled if an answer said it was used up (see
// buckets), and classifies the answer (see classify). Its errors are not
// yet redacted: see fail.
func (c *Channel) do(ctx context.Context, method, path string, q url.Values, body any) (*httpx.Response, error) {
	return c.doReserved(ctx, method, path, q, body, func(rt string) (*ratelimit.Reservation, error) {
		return c.s.limits.reserve(ctx, rt, ratelimit.Clock{Now: c.s.now, Sleep: c.s.client.Sleeper(c.s.sleep)})
	})
}

// errHeld is the error of a request that a rate limit holds and that does
// not wait for it (see learnGuildOnce).
var errHeld = errors.New("rate limit: held, not requested")

// doReserved is do, with the request to route rt reserved by reserve
// (which waits for the route's bucket, or refuses with errHeld); a request
// it does not reserve is not made.
func (c *Channel) doReserved(ctx context.Context, method, path string, q url.Values, body any,
	reserve func(rt string) (*ratelimit.Reservation, error)) (*httpx.Response, error) {
	var data []byte
	contentType := ""
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, broadcast.Permanent(fmt.Errorf("encode: %w", err))
		}
		contentType = "application/json"
	}
	target := c.s.hook.api() + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := httpx.NewRequest(ctx, method, target, data, contentType)
	if err != nil {
		return nil, broadcast.Permanent(err)
	}
	req.Header.Set("User-Agent", UserAgent)
	rt := route(method, path)
	r, err := reserve(rt)
	if err != nil {
		return nil, err
	}
	// Deferred, so that a panic of the transport gives the request back
	// too; once the answer's note gave it back, it does nothing.
	defer r.Release()
	// The status line decides: a 2xx whose answer breaks off is a post
	// made, and a retry would make it again.
	resp, err := httpx.DoStatus(c.s.client, req, responseLimit, 0, c.s.rd)
	if err != nil {
		return nil, err
	}
	now := c.s.now()
	err = classify(resp, now)
	c.s.limits.note(r, rt, resp.Header, err, now)
	return resp, err
}

// fail is the one place errors leave the channel: named by op, once (see
// httpx.Op: a transport error names its method, "post: …"), and redacted
// of the token and the webhook URL.
func (c *Channel) fail(op string, err error) error {
	return c.s.rd.Error(fmt.Errorf("discord: %w", httpx.Op(op, err)))
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("discord.Channel", "discord.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
