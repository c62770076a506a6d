// Package slack is a broadcast.Channel that posts each update to Slack
// conversations through the Web API with a bot token, threading the
// updates of an incident and editing and deleting its posts, or, more
// simply, through an incoming webhook.
//
// Each update is one message: a Block Kit section whose mrkdwn the
// "slack" template renders (DefaultTemplate: status and title in bold,
// impact, advice, body, affected components, next update, link), and a
// top-level text, the "short" template, which notifications and screen
// readers show. Update.Overrides[name] replaces both. Links are not
// unfurled, so a thread does not repeat the status page's preview.
//
// The user's text cannot ping anyone or forge a link: "&", "<" and ">" in
// every field (and in an override) are written as &amp;, &lt; and &gt;,
// so no <!channel>, <@U…> or <https://…|label> can be formed; the section
// is verbatim and the message is posted with parse "none" and link_names
// false, so a literal "@here" or "#general" stays text. Templates see the
// Update with those three characters hidden (as private-use characters
// that become the escapes once the text is final), so a template writes
// mrkdwn, never escapes, and no shortening cuts an escape in half; URLs
// are written as <url> links, whole (a "|" in one as %7C), each ending
// where templates.LinkSpans ends a link in a sentence ("」", "»", "。"
// and a final "." stay outside), but for Update.URL, linked whole
// wherever the section shows it, a final "." or ")" included
// (templates.LinkSpansWhole). mrkdwn has no
// escape for "*", "_", "~" or "`": a title holding them may show in bold
// or italics, nothing worse.
//
// # Threading
//
// An incident's first update starts a thread in each conversation; each
// later update replies in it (thread_ts is the ts of the first post), and
// the resolved or completed update is also shown in the conversation
// (reply_broadcast). After each reply the thread's
// first post is updated (chat.update) with a coloured status bar, an
// attachment saying the latest status and that every update is in the
// thread (a correction of an update earlier than the thread's latest,
// posted anew, leaves it as it is: it is no newer status). The update
// sends the bar alone: Slack documents that chat.update keeps the blocks
// (the first update, as posted or as corrected) of a message updated
// without them, but not that it keeps the top-level text, which it
// documents as not required beside attachments. If Slack clears it, the
// first post shows as before, but the text screen readers read of it is
// gone, or what Slack makes of its blocks (as for a message posted
// without text). The channel does not send
// the text again, as it cannot know it: a correction in place changes it
// while the incident's thread keeps the original's receipt. A failed status bar does not
// fail the delivery, which is done: the reply was posted. The Receipt says
// why, in Meta[MetaRootError+conversation], and the next reply tries again.
//
// A thread whose first post was deleted (retracted, or by hand) after a
// reply goes on under Slack's "This message was deleted". Deleted before
// any reply, the thread is gone: Slack posts a reply to it at the
// conversation's top level, or refuses it (thread_not_found, or
// cannot_reply_to_message, then the update is posted again without it).
// Either way the update starts a new thread, which the next updates
// reply in: each conversation threads under the thread of the
// incident's latest post there. So a
// conversation the first update did not reach threads under its first
// post of the incident. The Receipt's Meta holds, per conversation, the
// channel ID, the message's ts and its thread's ts (MetaChannel, MetaTS,
// MetaThreadTS followed by the Config.Channels entry); its ID is the ts
// in the first conversation, in Config.Channels' order, whose post has
// one (not one the update failed in, nor one whose answer was cut off
// before its ts). A conversation the update did not reach
// (it failed there, and was delivered elsewhere) has MetaChannel and
// MetaThreadTS without MetaTS: the incident's thread there, carried
// from Message.Thread.Last (or Root), so that the next update replies in
// it. A thread an admin locked
// (restricted_action_thread_locked) is left likewise: the update starts a
// new thread, which the next updates reply in. A conversation that takes
// no thread replies (restricted_action_non_threadable_channel) gets each
// update as a message of its own, without a status bar. A thread whose
// conversation is gone (deleted, channel_not_found; archived,
// is_archived; or the bot removed from it, not_in_channel) is left too
// by a Config.Channels entry that is a name: the reply, refused, posted
// nothing, and the update is posted to the name, as a new thread in
// whichever conversation has the name now (one made anew under it),
// which the next updates reply in. Where the name still means the
// closed conversation, that post is refused too, and the conversation
// fails for good with Slack's code; an entry that is the gone
// conversation's ID fails so at once. A retry after such a post whose
// answer was lost finds no thread to look in, nor the ID of the name's
// new conversation (see Idempotency), and may post it twice there.
//
// # Corrections and retractions
//
// The channel is a broadcast.Editor and a broadcast.Retractor. Edit
// replaces the text of the original's message in every conversation
// (chat.update) and keeps its status bar; when it corrects the incident's
// latest update, the status bar follows the correction (also the first
// post's own, which a retraction of its replies set back to its status;
// Slack's answer to the edit shows it); a message deleted
// by hand (message_not_found) fails with broadcast.ErrPostGone, and the
// Broadcaster posts the correction anew in that conversation. A message
// of a Config.Channels entry that is a name, in a conversation that is
// gone (channel_not_found, then ErrPostGone; archived, is_inactive, or
// the bot removed, not_in_channel, then ErrNotEditable), is posted anew
// likewise, to the name, as Send posts a later update there (see
// Threading); an ID entry's fails for good with Slack's code. Retract deletes
// the message in every conversation (chat.delete); a message already gone
// (message_not_found) counts as deleted; channel_not_found does not (the
// conversation deleted, or a private one the bot was removed from, where
// the message stays: Slack does not say which), and stays a permanent
// failure of that conversation. Deleting a thread's first post
// leaves its replies under Slack's "This message was deleted".
// Retracting the reply whose status the thread's status bar shows (the
// incident's latest update) sets the bar back to the latest earlier
// update still in the thread, or to the first post's own: a "Resolved"
// posted by mistake and retracted no longer shows as the current status.
// Each post carries the bar it sets in its metadata (event_payload
// "bar"), and Retract reads the thread first (conversations.replies,
// with the scopes a retry's look-up needs): the replies just before the
// retracted one, however long the thread, in at most 4 pages of 15 going
// back in time from it (and the first post, when those pages do not list
// it). It leaves the bar when the bar shows another update (a later
// one), when the thread cannot be read (a missing scope, or a rate
// limit: see Idempotency), when the update before lies beyond those
// pages (behind more replies of people than they hold), or for a post
// made without that metadata. Edit
// sets the metadata's bar to the correction's (keeping its key). Like
// the bar's other updates this is best effort: the deletion is what
// Retract reports. A deletion whose answer was lost (or internal_error)
// sets the bar back too, as a retry finds the message gone and can no
// longer tell which status the bar showed, unless a read of the thread
// still lists the message: then the bar keeps showing its status, also
// when every retry fails, and the retry that deletes it sets the bar
// back. A deletion Slack refuses leaves the bar, and so does one a proxy in
// front of it refuses for its rate limit (429): it never reached Slack.
// Slack
// refuses an edit after the workspace's edit window (edit_window_closed),
// of a message the token may not edit (cant_update_message: posted by
// another app or a user) and of a message written in Slack's rich text
// (block_mismatch): it fails with broadcast.ErrNotEditable, and the
// Broadcaster posts the correction anew in that conversation too; the
// message stays as it was. Check calls auth.test, which checks the token without
// posting; it does not check that the bot is in each conversation.
//
// # Incoming webhooks
//
// With Config.WebhookURL instead of a token the channel posts the same
// message to the webhook's conversation, and nothing more: a webhook
// answers "ok" and no ts, so updates are not threaded (Send ignores
// Message.Thread), messages cannot be edited or deleted, and there is no
// Receipt.ID. Edit then fails with an error wrapping
// broadcast.ErrNotEditable, and Broadcaster.Correct posts the correction
// as a new message, as on a channel that is not an Editor; Retract
// fails with an error wrapping broadcast.ErrNotSupported, and so does
// Check: a webhook has no way to be checked without posting. Nor can it
// read the conversation, so a retry cannot look for what an earlier
// attempt posted (see Idempotency), and its messages carry no metadata.
//
// # Idempotency
//
// Slack takes no idempotency key for chat.postMessage. Each conversation
// is a Ledger target, marked as soon as its message is posted, so a retry
// posts only to the conversations still pending. A conversation named
// twice, by its name and by its ID ("#ops", "C0123ABCDEF"), which only
// Slack can tell to be one, gets each update once, in whichever order
// the entries are listed, and both entries record that post. The rules,
// and their limits, are package same's (channels/internal/same), for
// which a name is one that may move and an ID one that does not: an entry
// whose ID the Channel does not know yet (a name it never posted to, in
// this process or in the incident's thread) posts first, Slack's answer
// naming its conversation; a name's ID is the one of its latest answer,
// so a name that Slack now gives another conversation (renamed) posts
// there, where an ID entry records its post, and the ID entry of the
// conversation it named before gets a post of its own (an incident that
// has a thread in that one goes on in it); a name no conversation has
// now fails for good (channel_not_found), and the ID it had is
// forgotten, so that it does not take for its own a message another name
// posts in that conversation later: it posts, and Slack's answer names
// its conversation again. A message whose answer names a conversation
// that has the update already from another entry (two names Slack now
// gives one conversation, or that the Channel never posted to: only the
// answers show it) is a second one, deleted at once (chat.delete), and
// its entry records the other: the conversation shows the update once,
// the second for a moment (and its notification stays); a deletion that
// fails leaves both, but for one whose outcome is unknown (a 5xx, Slack's
// or a proxy's page; an answer lost) after which a read of the
// conversation no longer lists the second, which counts as deleted, as
// Retract counts it (a read that fails too leaves both: the second may
// be up). Each message carries, in its
// metadata, broadcast.Message.Key of its conversation (event_type
// MetadataEventType, event_payload {"key": …}), the same on every attempt
// at the update, on every instance. A post or an edit Slack refuses for
// its metadata (metadata_must_be_sent_from_app, which it documents for a
// token that may not send it) is made again at once without it, and the
// Channel sends none from then on, in one call a post or an edit: the
// update is delivered, but a retry cannot find that message (it does not
// read the conversation for it then, and posts, its Receipt saying why in
// Meta[MetaLookupError+conversation]), and a retraction does not set the
// status bar back from it. An attempt may
// have posted without knowing it (Slack answered internal_error or fatal_error, which say
// part of the operation may have succeeded; the answer was lost, a
// timeout after Slack had posted, a connection reset; an earlier run
// ended mid-attempt), so every retry (Message.Attempt above 1, which the
// Broadcaster also sets after an earlier run's unknown outcome) first
// looks, in each conversation still pending, for the message carrying
// that key: in the incident's thread there
// (conversations.replies), and then, since a reply to a thread that is
// gone or locked was posted at the top level, in the conversation
// (conversations.history); for a message that starts a thread, in the
// conversation (conversations.history). It reads pages of at most 15
// messages with their metadata (include_all_metadata), those posted since
// 10 minutes before the update's Time (which the Broadcaster takes up to
// 5 minutes ahead of its clock) and at most 24 hours ago, each
// later page by Slack's cursor (the conversation's history lists the
// newest first, a thread its earliest replies first); at most
// 4 pages in each conversation (an app distributed outside Slack's
// Marketplace may read once a minute: its second page is refused as a
// rate limit, and the update is posted, see below; a reply's look-up still
// reads the conversation's history then, as it does past the 4 pages of a
// thread). Found,
// the message is taken as the post: its ts is in the Receipt, and the
// thread's status bar is set, as after a post. Not found, the update is
// posted. The look-up needs the bot token's channels:history (public
// channels) and groups:history (private ones) scopes besides chat:write,
// and the conversation's ID, which conversations.history takes instead of
// a name: a Config.Channels entry that is a name is looked up once its ID
// is known, from Slack's answer to an earlier post there by the Channel
// or from the incident's thread; give IDs for a conversation's first post
// to be looked up too. A look-up that cannot be made or fails
// (missing_scope, not_in_channel, a rate limit: Slack allows apps
// distributed outside its Marketplace one read a minute; an ID not known;
// any other error) does not stop the update: it is posted, a possible
// duplicate rather than a missing update, the Receipt says why in
// Meta[MetaLookupError+conversation], and the post's own failure, if it
// fails, is retried or not as it would be without the look-up. So a
// duplicate is possible only where the look-up failed or missed the
// earlier message (more than 24 hours back, or beyond the pages read in
// a busy conversation or a long thread, which the Receipt's
// Meta[MetaLookupError+conversation] then says). An incoming webhook cannot read
// its conversation: a retry after an answer that was lost posts the
// message again there, a duplicate possible, and only there. An answer cut
// off after its status line is taken as the post made, unless its start
// is Slack's refusal ("ok" comes first, and a refusal is a few dozen
// bytes): the conversation is marked done without a ts, so the update is
// not posted twice, and the incident's next update there starts a new
// thread (or follows the first post's, if the cut one was a reply). An
// answer that says "ok" but whose channel or ts does not read is taken
// so too. A cut answer that was a refusal after all (its "ok": false
// beyond the cut) leaves the update missing in that conversation: in an outage a
// reader sees the next update, where a duplicate would be posted at
// every such retry. A post without a ts cannot be edited or deleted: Edit
// fails that conversation with broadcast.ErrNotEditable, so that the
// Broadcaster posts the correction anew there, and Retract fails it for
// good, saying to delete the message by hand. Each
// conversation's message is kept in the Ledger with its mark, so the
// receipt of the attempt that completes the update names the messages of
// earlier attempts too, after a restart and on another instance sharing
// the Store.
//
// # Limits
//
// The message is one section of at most MaxSectionText (3,000)
// characters, far below Slack's 40,000 for a message's text, measured in
// UTF-16 code units after escaping (so never less than Slack counts);
// longer updates are shortened by the templates (body first, then
// components, then title; status, advice, next update and link are kept
// whole). The fallback text is at most FallbackLength (1,000), or that
// and the URL's length when the URL, kept whole, leaves it no room; one that
// shows nothing is left out ("Correction" for a correction), while a
// section that shows nothing fails for good (templates.ErrBlank), as Slack
// would refuse it. A message has one block, far below MaxBlocks. At most MaxChannels conversations,
// 4 of them posted to at once. Preview reports the section's length in
// UTF-16 code units.
//
// # Errors
//
// Slack answers HTTP 200 with "ok": false and an error code, returned as
// an *APIError and marked for retries: ratelimited (HTTP 429) and
// rate_limited wait for Retry-After (30s without one);
// message_limit_exceeded, a free workspace's limit on messages sent in a
// short time, waits for Retry-After (a minute without one), and its error
// says so; internal_error,
// fatal_error, service_unavailable, request_timeout, update_failed and the
// migration codes, and HTTP 5xx, are transient (waiting for Retry-After
// when Slack sends one); as the first two may come after Slack posted,
// and so may a transport error, every retry of a post first looks for
// the message (see Idempotency); every other code is
// permanent: invalid_auth, not_authed, account_inactive, token_revoked,
// missing_scope, channel_not_found, not_in_channel, is_archived,
// msg_too_long, no_text, invalid_blocks and the rest; missing_scope's
// error names the scopes Slack says the method needs and those the
// token has (APIError.Needed and Provided); a refusal of the token itself
// (not_authed, account_inactive, token_revoked, token_expired) ends in
// "(refused the credential: check Config.Token)" (not invalid_auth, which
// Slack also answers to a good token from an address its allowed IP ranges
// leave out), and an incoming webhook's no_service and invalid_token in
// "(refused the credential: check Config.WebhookURL)". The look-up's own
// errors are no delivery's: they are in the Receipt's Meta, never in
// Send's error, and change no marks. Transport errors are
// transient, but for a certificate that does not verify or a port that does not speak TLS, which are permanent. With several conversations the error follows
// broadcast.Fanout's rule: a transient *broadcast.TargetsError while some
// conversation is pending, nil when every other one got the update (the
// refusals are in the Ledger and the Broadcaster's Result.Failures), a
// permanent one when all refused. A Web API answer is Slack's JSON with
// its "ok": a whole 2xx without it (a captive portal's page) is another
// server's answer, permanent and naming Config.BaseURL. A 2xx cut off (at
// 256 KiB, broken off, or slower than 2s) is a post made, without its ts,
// as every channel takes it: a retry would post twice (see Idempotency);
// unless its start is Slack's refusal ("ok": false), which is retried. An
// "ok" answer to a post whose ts or channel is no Slack timestamp or ID,
// or any "ok" answer quoting the token (a relay's or a debugging proxy's
// echo of the request), is another server's answer too: permanent,
// naming Config.BaseURL, and nothing of it is kept; such an answer to
// chat.postMessage (its ts or channel none of Slack's, or quoting the token),
// and an incoming webhook's "ok" followed by more, are marked
// broadcast.Uncertain too (the relay may have passed the post on). A
// cut answer to an edit, a deletion or Check is retried. A look-up's read
// takes an answer of up to 8 MiB, as long as the request may take (a
// page of 15 messages of people may hold 40,000 characters each): one
// longer, or broken off, is a look-up that failed. An incoming
// webhook's answer is judged by its HTTP status: 2xx delivered (but a whole body other than Slack's "ok", a
// captive portal's page, is another server's answer); 429 waits for
// Retry-After (30s without one); 5xx transient; invalid_payload, action_prohibited, channel_not_found,
// channel_is_archived, no_service and every other 4xx permanent. A
// redirect, or a 401, 403, 404 or 405 without Slack's answer (the Web API's
// JSON, a webhook's error word), is another server's (a proxy's page, a
// wrong host or path): permanent, naming Config.BaseURL or
// Config.WebhookURL. A panic in a Web API request (Config.HTTPClient's
// Transport, its Proxy) fails that call for good, as "chat.postMessage:
// panicked" (the panic's value is named only for a runtime error): only
// its conversation, as a refusal would; a panic in a caller-built
// Message.Ledger is raised in the goroutine that called Send, Edit or
// Retract once the other conversations are done.
//
// No error, Receipt or printed Config or Channel holds the token or the
// webhook URL's path: both are redacted, in every encoding
// redact.Redactor knows, from whatever Slack or a proxy sends back.
//
// # URL form
//
// ParseURL reads, and Config.URL writes:
//
//	slack://xoxb:<rest of the token>@<host>/<channel>[/<channel>…][?name=<name>]
//	slack://hook:<T…>-<B…>-<secret>@<host>[?name=<name>]
//
// The first is the Web API with the bot token "xoxb-<rest of the token>"
// (a token that rotates, "xoxe.xoxb-<rest>", is written xoxe.xoxb:<rest>);
// host is slack.com (DefaultBaseURL), or the host of another Web API
// address, https://<host>/api/ (one with another path is given whole in a
// base_url= parameter); the channels are path segments, "#" escaped as
// %23. The second is the incoming webhook
// https://<host>/services/<T…>/<B…>/<secret>, host usually
// hooks.slack.com. The scheme slack+http stands for http, allowed to
// loopback addresses only.
package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Channel posts updates to Slack. It is safe for concurrent use. It prints
// as its name only (see Format).
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by slack.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with.
type state struct {
	token   redact.Secret
	base    string   // Web API base URL, ending in "/"
	targets []string // Config.Channels, trimmed: the Ledger targets
	webhook string   // incoming webhook URL; "" in Web API mode
	tmpl    *templates.Set
	client  httpx.Client
	rd      *redact.Redactor
	now     func() time.Time
	ids     sync.Map // Config.Channels name → conversation ID, as Slack answered a post there
	// noMeta is set once Slack refused message metadata from the token
	// (metadata_must_be_sent_from_app): a property of the token, so
	// later posts and edits are made without it, in one call each.
	noMeta atomic.Bool
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// Name returns Config.Name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// Format prints the Channel as "slack.Channel(<name>)" under every verb:
// fmt would print the token it holds through its fields.
func (c Channel) Format(f fmt.State, _ rune) { _, _ = fmt.Fprintf(f, "slack.Channel(%s)", c.name) }

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("slack: channel closed")

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

// Preview returns the section's mrkdwn as Send would post it, measured in
// UTF-16 code units.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxSectionText, Unit: "UTF-16 code units"}
	msg, err := c.render(u.WithDefaults(c.s.now().UTC()))
	if err != nil {
		return p, fmt.Errorf("slack: render: %w", err)
	}
	p.Text, p.Length = msg.section, utf16Len(msg.section)
	return p, nil
}

// render renders u (with its defaults) as the message Send posts. An
// Update.URL the section could not link to (textsafe.CheckURL) is an
// error.
func (c *Channel) render(u broadcast.Update) (message, error) {
	if err := textsafe.CheckURL(u.URL, "the message links to it"); err != nil {
		return message{}, err
	}
	v := hide(u, c.name)
	section, err := c.s.tmpl.Text(c.name, Template, v, MaxSectionText, sectionLength(v.URL))
	if err != nil {
		return message{}, err
	}
	// The fallback template may not say that this is a correction;
	// notifications must.
	prefix := ""
	if u.Corrects != "" {
		prefix = templates.CorrectionPrefix
	}
	limit := FallbackLength - len(prefix)
	text, err := c.s.tmpl.Text(c.name, FallbackTemplate, v, limit, fallbackLength)
	if errors.Is(err, templates.ErrTooLong) && v.URL != "" {
		// The URL, kept whole, leaves no room (a valid one may have
		// 2,048 bytes): the rest of the text has FallbackLength beside
		// it, far below Slack's MaxText.
		text, err = c.s.tmpl.Text(c.name, FallbackTemplate, v, limit+fallbackLength(v.URL), fallbackLength)
	}
	section = c.leaveBrackets(v, Template, section)
	if err == nil {
		text = c.leaveBrackets(v, FallbackTemplate, text)
	}
	switch {
	case errors.Is(err, templates.ErrBlank):
		// The section shows the update: a fallback that shows nothing
		// is left out, as Slack takes a message of blocks alone; a
		// correction's still says it is one.
		text = strings.TrimSuffix(prefix, ": ")
	case err != nil:
		return message{}, err
	case prefix != "":
		text = templates.MarkCorrection(text)
	}
	return message{section: finish(section, v.URL), text: shower.Replace(text)}, nil
}

// leaveBrackets returns text, the template name's text for v (hidden),
// with each bare URL that the cut of v's override moved after the
// ellipsis ended at the user's first hidden "<" or ">" in it, where the
// section ends its link (see urlRE): the templates, to which the hidden
// characters are a URL's, moved them with the URL ("… https://x.example/a>"
// for "See https://x.example/a> and more"), which Slack would show as a
// stray "&gt;" after the link. A text not cut, or not an override's, is
// returned as is: its URLs are where the author wrote them.
func (c *Channel) leaveBrackets(v broadcast.Update, name, text string) string {
	if _, ok := v.Override(c.name); !ok || !strings.ContainsAny(text, hiddenLt+hiddenGt) {
		return text
	}
	at := strings.LastIndex(text, templates.Ellipsis)
	if at < 0 {
		return text
	}
	if full, err := c.s.tmpl.Text(c.name, name, v, 0, nil); err == nil && full == text {
		return text // not cut
	}
	moved := strings.Split(text[at+len(templates.Ellipsis):], " ")
	for k, u := range moved {
		// A URL moved within raw "<" and ">" is one link to its ">",
		// the user's characters in it its own (see angled).
		if strings.HasPrefix(u, "<") {
			continue
		}
		if i := strings.IndexAny(u, hiddenLt+hiddenGt); i >= 0 && urlRE.MatchString(u[:i]) {
			moved[k] = unopened(u[:i], v.URL)
		}
	}
	return text[:at+len(templates.Ellipsis)] + strings.Join(moved, " ")
}

// unopened returns u, a URL moved after the ellipsis, without the
// closing brackets at its end that it did not open, which the templates
// leave behind with the text they close ("(https://x.example/a)" moves
// as "https://x.example/a"), but did not see as its end when the
// user's hidden ">" followed them. The update's URL, url (hidden), is
// kept whole where u starts with it, as the templates keep it and the
// section links it: its final ")" is its own
// ("https://x.example/wiki/Outage_2026)").
func unopened(u, url string) string {
	keep := 0
	if url != "" && strings.HasPrefix(u, url) {
		keep = len(url)
	}
	for {
		n := len(u)
		if n <= keep {
			return u
		}
		open := strings.IndexByte(")]}", u[n-1])
		if open < 0 || strings.Count(u, "([{"[open:open+1]) >= strings.Count(u, u[n-1:]) {
			return u
		}
		u = u[:n-1]
	}
}

// Send posts m.Update to every conversation m.Ledger does not report done,
// in the incident's thread there; see the package documentation.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("slack: %w", err)
	}
	m.Update = m.Update.WithDefaults(c.s.now().UTC()) // Key needs the ID
	msg, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: render: %w", err))
	}
	if c.s.webhook != "" {
		return c.sendWebhook(ctx, msg)
	}
	f := broadcast.NewFanout(m, c.s.targets)
	c.deliverAll(ctx, m, f, msg)
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("slack: %w", err)
	}
	r := f.Receipt() // the posts of earlier attempts too, from the Ledger
	keepThreads(&r, m.Thread, c.s.targets)
	r.Channel, r.Time = c.name, c.s.now().UTC()
	return r, nil
}

// concurrency bounds the conversations posted to at once: Slack limits
// the messages a workspace's app may post per second.
const concurrency = 4

// each calls do for every index of todo, concurrency at a time, and
// returns when all have returned. A panic in do (in a caller-built
// Message.Ledger; one in a request fails only its call, see Channel.do)
// is raised again here, in the calling goroutine, once the others
// returned: in a goroutine of each's it would end the process (see
// package guard).
func each(todo []int, do func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	var panics guard.Panics
	for range min(concurrency, len(todo)) {
		wg.Go(func() {
			for i := range jobs {
				func() {
					defer panics.Catch("slack")
					do(i)
				}()
			}
		})
	}
	for _, i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	panics.Raise()
}

// outcome is the result of posting to one conversation.
type outcome struct {
	p       post
	rootErr string // why the root's status bar was not updated
	lookErr string // why a retry could not look for an earlier attempt's post
	err     error
}

// deliver posts msg to target, as a reply in the incident's thread there
// if it has one, and then updates the thread's root. A thread that is
// gone (its first post deleted before anyone replied), a conversation
// that takes no replies, or, for a name, a conversation that is gone
// (conversationGone), is left: msg starts a new one. A retry first
// looks for the message an earlier attempt may have posted, by the key
// its metadata carries, and takes it as the post when it is there.
func (c *Channel) deliver(ctx context.Context, m broadcast.Message, target string, msg message) outcome {
	key := m.Key(target)
	req := msg.post(target)
	req.Metadata = &metadata{EventType: MetadataEventType, EventPayload: metadataPayload{Key: key}}
	if c.s.noMeta.Load() {
		req.Metadata = nil // the token may not send it (see noMeta)
	} else if m.Current() {
		// What the thread's status bar shows once this is posted: a
		// retraction of a later update sets the bar back to it.
		req.Metadata.EventPayload.Bar = barOf(m.Update)
	}
	root, threaded := threadOf(m.Thread, target)
	if threaded {
		c.learn(target, root.channel)
		req.Channel, req.ThreadTS, req.ReplyBroadcast = root.channel, root.ts, m.Update.Status.Closes() // a closing reply is also shown in the channel
	}
	var o outcome
	resp, found := postResponse{}, false
	switch {
	case m.Attempt > 1 && c.s.noMeta.Load():
		// No message of this token carries a key: a look-up would cost a
		// read (of a rate limit that may allow one a minute) and find none.
		o.lookErr = errNoKey.Error()
	case m.Attempt > 1:
		var err error
		// A failed look-up posts: a possible duplicate rather than a
		// missing update. Its error is kept for the receipt only, so
		// that it cannot change how the post's own failure is retried.
		if resp, found, err = c.findPost(ctx, m.Update, target, key, root, threaded); err != nil {
			o.lookErr = c.s.rd.String(err.Error())
		}
	}
	if found {
		threaded = threaded && resp.Message.ThreadTS == root.ts // else posted at the top level: the thread was gone
	} else {
		var err error
		reply := threaded
		resp, threaded, err = c.postMessage(ctx, req, threaded)
		if reply && conversationGone(err) && req.Channel != target {
			// The thread's conversation is deleted or archived, or the
			// bot was removed from it: the reply, refused, posted
			// nothing, and the name may mean another conversation now.
			// The update starts a new thread where the name is, which
			// the next updates reply in.
			if notFound(err) {
				c.forget(target, req.Channel)
			}
			req.Channel, req.ThreadTS, req.ReplyBroadcast = target, "", false
			if c.s.noMeta.Load() {
				req.Metadata = nil
			}
			resp, threaded, err = c.postMessage(ctx, req, false)
		}
		if err != nil {
			if notFound(err) {
				// The conversation is gone, or the name is no one's
				// now: its ID is no longer what the name means.
				c.forget(target, req.Channel)
			}
			return outcome{err: err}
		}
	}
	c.learn(target, resp.Channel)
	o.p = post{channel: resp.Channel, ts: resp.TS, thread: resp.TS}
	if threaded {
		o.p.thread = root.ts
		if !m.Current() {
			return o // a correction of an earlier update: the bar shows a later status
		}
		if err := c.refreshRoot(ctx, root, m.Update); err != nil {
			o.rootErr = err.Error()
		}
	}
	return o
}

// postMessage posts req, a reply in a thread when threaded is true, and returns
// Slack's answer and whether the message is a reply in that thread: a
// thread that is gone or takes no replies is left, and the message
// posted without it.
func (c *Channel) postMessage(ctx context.Context, req postRequest, threaded bool) (postResponse, bool, error) {
	var resp postResponse
	call := func() error {
		err := c.call(ctx, "chat.postMessage", req, &resp)
		if req.Metadata != nil && metadataRefused(err) {
			// Refused, nothing posted: the key is an aid to a retry's
			// look-up, the update is what counts.
			c.s.noMeta.Store(true)
			req.Metadata = nil
			err = c.call(ctx, "chat.postMessage", req, &resp)
		}
		return err
	}
	err := call()
	if threaded && threadGone(err) {
		req.ThreadTS, req.ReplyBroadcast = "", false
		err = call()
		threaded = false
	}
	if errors.Is(err, errCut) {
		return postResponse{}, threaded, nil // posted, without its ts (see errCut)
	}
	if err != nil {
		return postResponse{}, false, err
	}
	if _, ok := tsTime(resp.TS); !ok || !isID(resp.Channel) {
		// Slack answers every post made with its ts and the channel's ID:
		// an "ok" without them is another server's (a relay's echo of the
		// request, or its own answer), which names no post, and the relay
		// may have passed the post on: its outcome is unknown, and a
		// later attempt looks for it.
		return postResponse{}, false, broadcast.Uncertain(broadcast.Permanent(errors.New(
			`chat.postMessage: "ok" without a Slack ts and channel ID; not Slack's answer (check Config.BaseURL)`)))
	}
	if threaded && resp.Message != nil && resp.Message.ThreadTS == "" {
		threaded = false // Slack posted it at the top level: the thread is gone
	}
	return resp, threaded, nil
}

// refreshRoot sets the status bar of the thread's root post to u's status.
func (c *Channel) refreshRoot(ctx context.Context, root post, u broadcast.Update) error {
	req := updateRequest{Channel: root.channel, TS: root.ts, Attachments: []attachment{statusBar(u)}, Parse: "none"}
	var resp postResponse
	return c.call(ctx, "chat.update", req, &resp)
}

// receipt is the Ledger's record of o's post in target: its ts and where
// it is, and why the thread's root could not be updated, if it could not.
func (o outcome) receipt(target string) broadcast.Receipt {
	r := broadcast.Receipt{ID: o.p.ts, Meta: map[string]string{}}
	o.p.put(r.Meta, target)
	if o.rootErr != "" {
		r.Meta[MetaRootError+target] = o.rootErr
	}
	if o.lookErr != "" {
		r.Meta[MetaLookupError+target] = o.lookErr
	}
	return r
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("slack.Channel", "slack.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
