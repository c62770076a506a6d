// Package telegram posts incident updates to Telegram chats, channels and
// forum topics through a bot, with the Bot API's sendMessage.
//
// Each update is one message per chat: the channel's entry in
// Update.Overrides, or else the Config.Template template ("text" by
// default), fitted to MaxLength characters with the body shortened first
// and the status-page URL kept whole, then sent as HTML (parse_mode HTML).
// The text is plain: every "<", ">" and "&" in it is escaped, so a title
// cannot add formatting or links, and the only tag is the <b> that makes
// its first line (status and title) bold. Telegram makes "@username" a
// mention that notifies that member, so the channel breaks every such "@"
// in the update's texts with an invisible word joiner (U+2060), after it
// dropped from them the characters Telegram removes before it reads
// mentions ("\r", U+2028 to U+202E, U+030A, U+0333, U+033F: "@\u202Eops"
// would notify @ops; in Update.URL's path, where they would link to
// another page, the combining marks among them go out %-escaped). URLs stay
// whole: in them, the author's and Update.URL, only an "@" that may start
// a mention (not after "/", "=" or a word character: after "«", where
// Telegram ends a link, "@ops" would notify @ops) goes out as "%40", which
// links to the same page; before the URL's path, where "%40" would change
// the host, it gets the word joiner instead. Telegram also makes "/word"
// that starts no word (as "see /status") a bot command, which a tap
// sends to the chat: a word joiner after the "/" breaks it too. A "/" in
// a URL is part of its link and stays; where Telegram ends a link before
// one (at "«", "»" or general punctuation such as "…", not at a dash; at
// a closing bracket the path did not open; at a "," in the host), the rest
// of the URL is text to Telegram: there the text gets the word joiner
// after the "/" of a command and the "@" of a mention (after "/" or "=" too,
// which Telegram notifies there), and Update.URL those characters
// %-escaped, so that it links whole, and an "@" still in such text
// "%40". The link preview is of the update's URL (link_preview_options
// url), shaped by Config.LinkPreview; an update without one has no
// preview (is_disabled), not one of a link in its text. An Update.URL that Update.Validate
// refuses (in a Message built without the Broadcaster: a password in it, a
// javascript: link) is a permanent error of Send, Edit and Preview, naming
// the field, before any request. Preview renders without posting;
// Check verifies the token with getMe and that the bot can see every chat
// with getChat (and a basic group's members, with getChatMemberCount).
//
// # Chats
//
// Config.Chats are the Ledger targets, named as written there ("@examplestatus",
// "-1001234567890/42"): Send posts to every chat not done in an earlier
// attempt, in order (but for usernames, as below), and books each with a broadcast.Fanout, so a retry
// reaches only the chats that failed for now. A chat named twice, by its
// "@username" and by its id ("@examplestatus", "-1001234567890"), which
// only Telegram can tell to be one, gets each update once, in whichever
// order the entries are listed, and both entries record that message;
// Edit and Retract then edit and delete it once. The rules, and their
// limits, are package same's (channels/internal/same), for which a
// username is a name that may move and an id one that does not: an
// entry whose chat id the Channel does not know yet (a username it never
// posted to, in this process or in the incident's thread) posts first,
// Telegram's answer naming its chat; a username's chat id is the one of
// its latest answer, so a username moved to another chat posts there,
// where an id entry records its message, and an id entry of its old chat
// gets a message of its own. A username Telegram no longer finds ("chat
// not found") is forgotten. When two or more entries' chat ids are not
// known (usernames never posted to), Send first asks getChat for each of
// their ids, one request per username until the process ends (a single
// such entry asks nothing: its answer names its chat; concurrent Sends
// wait for a username's getChat under way rather than ask again), so
// that two usernames of one chat (a channel's active usernames) get one
// message there; a getChat that fails (chat not found, another server's
// page from a relay that does not forward getChat) leaves its entry to
// post as without it, one refused for flood control (429) asks no more
// in the attempt, and only one refusing the bot token (401, or a Bot API
// server's 421 "unallowed token specified", as for a message) stops it. A
// message whose answer names a chat that has the update already from
// another entry (two usernames that moved into one chat) is deleted at
// once (deleteMessage), and its entry records the other: the chat shows
// the update once, the second for a moment (its notification stays); a
// deletion that fails leaves both, each entry recording its own. The
// Receipt's Meta holds,
// for each chat, the message's id ("message_id:<chat>") and the id of the
// chat it is in ("chat_id:<chat>"); its ID and URL are those of the first
// chat's message: t.me/<username>/<id> for a channel or supergroup with a
// username (the answer's, or the entry's that posted it), t.me/c/<id>/<id>
// (for members) for one without, with the forum topic before the id for
// a message in one (t.me/<username>/<topic>/<id>, t.me/c/<id>/<topic>/<id>,
// as Telegram links it), none for a private chat or a basic
// group, whose messages have no link; a chat username that is none, as in
// a relay's echo of the request quoting the token, is dropped. Each chat's message is kept in
// the Ledger with its mark,
// so the receipt of the attempt that completes the update names the
// messages of earlier attempts too, after a restart and on another
// instance sharing the Store.
//
// A group upgraded to a supergroup answers with
// parameters.migrate_to_chat_id: the channel follows it, posts to the
// supergroup at once, and keeps doing so for the chat's entry until the
// process ends; the receipt names the supergroup's id, and Config.Chats
// should be updated to it. The supergroup numbers its messages anew (the
// group's stay behind in the old chat), so a reply goes there only to a
// message the receipt places in the supergroup (as after a restart): an
// old group's message id would name another message there. For the same
// reason a message posted in the group before its upgrade can no longer
// be edited or deleted: a correction of it is posted anew in the
// supergroup (broadcast.ErrNotEditable), and a retraction of it fails
// that chat for good, wrapping broadcast.ErrNotSupported and naming the
// group and the supergroup. The supergroup numbers its forum topics anew
// too: an entry's topic ("-333333333/7") is the group's, which names no topic of
// the supergroup (the Bot API would refuse it for good, "message thread
// not found") or another one, so the channel posts to the supergroup
// without it, in its General topic, and the receipt's link names no
// topic; Config.Chats should name the supergroup's topic. Either way the
// next message goes to the supergroup at once.
//
// # Threading
//
// Messages chain per chat: a later update of an incident replies to the
// channel's latest message of it in that chat, from Message.Thread.Last's
// Meta (reply_parameters.message_id, with allow_sending_without_reply, so
// that an update whose message to reply to was deleted still goes out);
// in a chat the latest update did not reach, to the incident's first
// message there, from Message.Thread.Root's Meta. An "@username" that an
// answer showed to name another chat now replies to no message of its
// old chat: that id names another message in the new one. A
// chat entry with a topic posts in that forum topic (message_thread_id;
// none for "/1", the General topic, which the Bot API refuses by id).
//
// # Corrections and retractions
//
// The Channel is a broadcast.Editor: Broadcaster.Correct edits the
// original's message in each chat (editMessageText); an edit Telegram
// finds unchanged counts as done. In a chat whose message is gone
// ("message to edit not found", broadcast.ErrPostGone) or that Telegram
// will not edit ("message can't be edited", or its id refused as
// MESSAGE_ID_INVALID: broadcast.ErrNotEditable), the
// Broadcaster posts the correction anew, in the thread. It is a broadcast.Retractor: Retract deletes the message
// in each chat (deleteMessage). Telegram deletes a message only within
// 48 hours of its sending (in private chats and groups; an administrator
// with the right to delete may delete older ones in supergroups and
// channels); it then answers "message can't be deleted", and that chat's
// failure wraps broadcast.ErrNotSupported. A message already gone
// ("message to delete not found") counts as deleted. A chat whose message
// of the original is known by its receipt only as posted, its answer cut
// short (see # Limits), cannot be edited or deleted by id: Edit fails it
// with broadcast.ErrNotEditable, so that the correction is posted anew
// there, and Retract fails it for good, saying to delete the message by
// hand. Chats the receipt does not name are left alone by both; a chat
// removed from Config.Chats since the post is not: its message still
// shows, and the receipt names it.
//
// # Limits
//
// One message per chat and update: a long update is shortened to
// MaxLength (4,096) characters of text as readers see it (after the HTML
// is parsed), never split. The Bot API takes no idempotency key: a retry
// after a lost answer posts the message again in that chat (chats whose
// answer arrived are not retried). An answer that arrived only in part,
// after the status line said 2xx, or an {"ok":true} whose result does not
// read as a message, is not lost: the chat got the message,
// and the receipt lacks only its message id (Meta's "message_id:<chat>"
// is empty: a later update does not reply to it, and a correction is
// posted anew there). Telegram allows a bot about one
// message per second per chat and 20 per minute per group; beyond, it
// answers 429. Redirects are not followed.
//
// A 429 for one chat does not hold back the chats after it in the same
// attempt: those limits are the chat's, and the other chats still take
// the message. When the bot's own limit (about 30 messages a second in
// all) is the cause, the chats after it are refused too, each with its
// 429, and the attempt's error asks to wait the longest retry_after any
// chat was given before the next attempt, which tries only the chats not
// done.
//
// # Errors
//
// Errors start with "telegram: " and carry the Bot API's answer
// ({"ok":false,"error_code":…,"description":"…"}), bounded and without the
// token; errors.As finds an *APIError. Send's, Edit's and Retract's
// errors follow broadcast.Fanout's rule: a transient
// *broadcast.TargetsError while some chat failed for now, nil when every
// other chat got the update (chats refused for good are in the Ledger), a
// Permanent one when every chat failed for good. Per chat:
//
//   - 429, 420 (flood control) and any answer with
//     parameters.retry_after are transient, with broadcast.RetryAfter of
//     that parameter (or the Retry-After header; without either, 30
//     seconds);
//   - 401 Unauthorized and 404 Not Found (a revoked or malformed token),
//     and a Bot API server's 421 "unallowed token specified" (one of your
//     own that does not serve the bot; another 421, a proxy's, does not
//     blame the token), are Permanent, and fail the chats not yet tried
//     without a request (the 401 and the 421 end in "(refused the
//     credential: check Config.Token)"); one
//     that is not the Bot API's JSON (a proxy's page, a Config.BaseURL
//     with a wrong path), a 405 and a redirect likewise, but say so (and
//     where a redirect pointed) rather than blame the token; so is a
//     whole 2xx without the Bot API's result, or one too long to read
//     whole that does not start as JSON (a captive portal's page):
//     nothing shows the request reached Telegram;
//   - 400 and 403 (chat not found, bot blocked or kicked, not a member, a
//     topic that does not exist) are Permanent;
//   - 5xx (but 501 Not Implemented, which is Permanent), 408, 425 and
//     network errors are transient, after the wait named as for a 429
//     when there is one; when ctx ends, the error matches ctx.Err() with
//     errors.Is.
//   - A certificate that does not verify, or a port that does not speak
//     TLS, is Permanent.
//
// A template that cannot produce a message within the limit is a Permanent
// error wrapping templates.ErrTooLong. No error contains the token, which
// is in every request's URL path: Config holds it as a redact.Secret, the
// channel builds each URL at the request, transport errors show the URL
// as scheme and host only, and every error carrying the Bot API's or a
// transport's text passes through one redact.Redactor that knows the token
// (whole, and its secret part after the colon) in the encodings a server
// may echo it in; text quoted from an answer is redacted before it is cut
// to length. A successful answer is read as it came, never redacted.
//
// # URL form
//
// A channel can be written as one URL, for ParseURL and Config.URL:
//
//	telegram://123456789:SECRET@telegram?chats=@examplestatus,-1001234567890/42&preview=small&name=status-telegram
//
// The user information is the bot token (its id and secret around the
// colon); the host "telegram" stands for the Bot API at DefaultBaseURL,
// any other host (with its path) for a Bot API server there, over https,
// or plain http with telegram+http:// (a loopback address only). chats is
// required (comma-separated, or repeated); preview is "off" or a
// comma-separated list of small, large and above; template and name are
// optional.
package telegram

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Channel posts updates to Telegram chats through one bot. It is safe for
// concurrent use. It prints as "telegram.Channel(<name>)".
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by telegram.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, behind a pointer so that fmt never
// prints it.
type state struct {
	base     string
	token    redact.Secret // in every request's URL path; never copied out
	chats    []chat
	targets  []string
	preview  LinkPreview
	template string
	client   httpx.Client
	redactor *redact.Redactor
	tmpl     *templates.Set
	migrated sync.Map // target → int64: the supergroup a group became
	learned  sync.Map // target → int64: the id of an "@username" chat, from an answer
	asking   asking   // the getChat of a username under way, for concurrent Sends to share
	now      func() time.Time
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// defaultTimeout bounds one request of the default client.
const defaultTimeout = 30 * time.Second

// answerLimit bounds the answer read: a sendMessage answer holds the
// message, and a reply's the message replied to too, each up to 4,096
// characters, which JSON may escape to 12 bytes each.
const answerLimit = 1 << 20

// New returns a channel for cfg. It checks cfg without any network I/O;
// errors name the field, as in "telegram: Config.Chats[1]: …", and the
// error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	chats, base, name := cfg.validate(&f)
	// Shown as written (escaped into HTML), whichever template renders it.
	template, tmpl := cmp.Or(cfg.Template, DefaultTemplate), cfg.Templates.Plain()
	// A template refused, or a name refused, leaves nothing to try.
	if !f.Add(setup.Template(pkg, "Template", tmpl, template)) && name != "" {
		f.Add(setup.TryText(pkg, tmpl, name, template, MaxLength, templates.Runes))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	client := httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, Timeout: defaultTimeout})
	s := &state{base: base, token: cfg.Token, chats: chats, preview: cfg.LinkPreview, template: template,
		client: client, redactor: newRedactor(cfg.Token), tmpl: tmpl, now: time.Now}
	for _, c := range chats {
		s.targets = append(s.targets, c.target)
	}
	return &Channel{name: name, s: s}, nil
}

// newRedactor returns the Redactor of the token: whole, and its secret part
// after the bot's id.
func newRedactor(token redact.Secret) *redact.Redactor {
	_, secret, _ := strings.Cut(token.Reveal(), ":")
	return redact.NewRedactor(token, redact.NewSecret(secret))
}

// Name returns the channel's name, "telegram" unless Config.Name says
// otherwise.
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
var ErrClosed = broadcast.ClosedError("telegram: channel closed")

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

// Format prints the channel as "telegram.Channel(<name>)" under every verb.
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "telegram.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "telegram.Channel(%s)", c.name)
}

// Chats returns the chats the channel posts to, as Config.Chats names them.
func (c *Channel) Chats() []string {
	if !c.made() {
		return nil
	}
	return append([]string(nil), c.s.targets...)
}

// Preview returns the HTML Send would post for u, and the length of its
// text as readers see it.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxLength, Unit: "characters as shown (after HTML parsing)"}
	html, plain, err := c.render(u)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = html, templates.Runes(plain)
	return p, nil
}

// render returns the message of u as HTML, and the plain text readers see:
// its override or the template, mentions broken, fitted to MaxLength.
func (c *Channel) render(u broadcast.Update) (html, plain string, err error) {
	if err := textsafe.CheckURL(u.URL, "the message links to it, and Telegram fetches it for the preview"); err != nil {
		return "", "", broadcast.Permanent(fmt.Errorf("telegram: render: %w", err))
	}
	plain, err = c.s.tmpl.Text(c.name, c.s.template, quiet(u, c.name), MaxLength, templates.Runes)
	if err != nil {
		return "", "", broadcast.Permanent(fmt.Errorf("telegram: render: %w", err))
	}
	return toHTML(plain), plain, nil
}

// Check verifies the token with getMe, then that the bot can see every
// chat with getChat (and, for a basic group, its member list with
// getChatMemberCount): a chat id mistyped, a chat the bot is not in or was
// kicked from, and a group upgraded to a supergroup (named) fail, each
// under its entry of Config.Chats. It posts nothing, and does not check
// the bot's right to post or a forum topic.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("telegram: check: %w", err)
	}
	if _, _, err := c.call(ctx, "getMe", struct{}{}); err != nil {
		return fmt.Errorf("telegram: check: %w", err)
	}
	var errs []error
	for _, ch := range c.s.chats {
		if err := c.checkChat(ctx, ch); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.target, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("telegram: check: %w", errors.Join(errs...))
	}
	return nil
}

// checkChat asks getChat of ch, and of a basic group getChatMemberCount
// too: getChat needs read access only, which a basic group upgraded to a
// supergroup, or one the bot was kicked from, still grants (it answers
// with the old group); the member list is refused then, with the
// supergroup's id (migrate_to_chat_id) or 403. It asks of the chat as
// configured, even when the channel follows its upgrade already: it does
// so only until the process ends.
func (c *Channel) checkChat(ctx context.Context, ch chat) error {
	result, e, err := c.call(ctx, "getChat", getChat{ChatID: ch.id})
	var info struct {
		Type string `json:"type"`
	}
	if err == nil && json.Unmarshal(result, &info) == nil && info.Type == "group" {
		_, e, err = c.call(ctx, "getChatMemberCount", getChat{ChatID: ch.id})
	}
	if e != nil && e.MigrateToChatID != 0 {
		err = fmt.Errorf("%w (now %d: update Config.Chats)", err, e.MigrateToChatID)
	}
	return err
}

// call makes one Bot API request of method with the JSON input in. It
// returns the result on success (nil when a 2xx answer could not be read
// whole: done, but without its result); otherwise the answer's *APIError (nil
// when no answer came) and the classified error. It is the one place the
// Bot API's or a transport's text enters an error, and redacts it; the
// URL, which holds the token, is built here and never kept.
func (c *Channel) call(ctx context.Context, method string, in any) (json.RawMessage, *APIError, error) {
	body, err := httpx.JSONBody(in)
	if err != nil {
		return nil, nil, broadcast.Permanent(fmt.Errorf("%s: encode: %w", method, err))
	}
	req, err := httpx.NewRequest(ctx, http.MethodPost, c.s.base+"/bot"+c.s.token.Reveal()+"/"+method, body, "application/json")
	if err != nil {
		return nil, nil, broadcast.Permanent(fmt.Errorf("%s: %w", method, err))
	}
	// The status line decides: the Bot API answers 2xx only for what it
	// did, so a 2xx whose answer breaks off, or is cut at answerLimit, is
	// done, not retried (a retry would post again).
	resp, err := httpx.DoStatus(c.s.client, req, answerLimit, 0, c.s.redactor)
	if err != nil {
		return nil, nil, c.s.redactor.Error(fmt.Errorf("%s: %w", method, err))
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		var a answer
		if json.Unmarshal(resp.Body, &a) == nil && a.OK && len(a.Result) > 0 && string(a.Result) != "null" {
			return a.Result, nil, nil
		}
		if resp.Truncated && !httpx.NotJSON(resp) {
			return nil, nil, nil // done, its result cut short
		}
		// Not a result: the Bot API's error (ok false), or another
		// server's page (apiError), whole or too long to read whole.
	}
	e := apiError(c.s.redactor, resp)
	return nil, e, c.s.redactor.Error(classify(method, resp, e))
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("telegram.Channel", "telegram.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
