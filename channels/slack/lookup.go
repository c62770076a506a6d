package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// MetadataEventType is the event_type of the message metadata each
// message posted through the Web API carries; its event_payload's "key"
// is broadcast.Message.Key of the conversation (the Config.Channels
// entry). A retry finds the message of an earlier attempt by it (see the
// package documentation's Idempotency).
const MetadataEventType = "outagecast_update"

// metadata is Slack's message metadata: an event type and its payload.
type metadata struct {
	EventType    string          `json:"event_type"`
	EventPayload metadataPayload `json:"event_payload"`
}

// metadataPayload is the event_payload of a post: its key and, for an
// update that gave the thread's status bar its status, what the bar
// shows (see barState).
type metadataPayload struct {
	Key string    `json:"key"`
	Bar *barState `json:"bar,omitempty"`
}

// Bounds of the look-up of an earlier attempt's post.
const (
	// lookLimit is the page of messages read: the newest of a
	// conversation, the first replies of a thread (after lookSince).
	// Slack gives apps distributed outside its Marketplace no more.
	lookLimit = 15
	// lookPages bounds the pages a retry reads in each conversation
	// still pending: a busy conversation's newest page may not reach
	// back to the earlier attempt's post.
	lookPages = 4
	// lookWindow bounds how long ago the earlier attempt may have posted.
	lookWindow = 24 * time.Hour
	// clockSkew is how much earlier than the update's Time the earlier
	// attempt may have posted, by Slack's clock: the Broadcaster takes a
	// Time up to 5 minutes ahead of its machine's clock, and Slack's
	// clock may differ from that one.
	clockSkew = 10 * time.Minute
)

// errNoID is why a conversation named in Config.Channels cannot be
// looked in before its ID is known: conversations.history takes IDs only.
var errNoID = errors.New("the conversation's ID is not known yet " +
	"(give its ID in Config.Channels, not its name, for a retry to read its history)")

// errNoKey is why a retry does not look for an earlier attempt's post
// once Slack refused message metadata from the token: no message carries
// the key it would look for.
var errNoKey = errors.New("not looked for: Slack refuses message metadata from the token " +
	"(metadata_must_be_sent_from_app), so no message carries the key a retry looks for")

// listedMessage is a message as conversations.history and
// conversations.replies list it.
type listedMessage struct {
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	Metadata *struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	} `json:"metadata"`
	Attachments []struct {
		Text string `json:"text"`
	} `json:"attachments"`
}

// payload returns m's event_payload, if it is one of the channel's.
func (m listedMessage) payload() (metadataPayload, bool) {
	var p metadataPayload
	if m.Metadata == nil || m.Metadata.EventType != MetadataEventType {
		return p, false
	}
	return p, json.Unmarshal(m.Metadata.EventPayload, &p) == nil
}

// carries reports whether m's metadata carries key.
func (m listedMessage) carries(key string) bool {
	p, ok := m.payload()
	return ok && p.Key == key
}

// listResponse is the answer of conversations.history and
// conversations.replies.
type listResponse struct {
	apiResponse
	Messages []listedMessage `json:"messages"`
	// HasMore says the page does not hold every message asked for.
	HasMore bool `json:"has_more"`
}

// findPost looks for the message an earlier attempt at u may have posted
// to target, carrying key: in the thread of root, when threaded, through
// conversations.replies, and then, as that attempt may have posted it at
// the top level (the thread gone or locked), in the conversation's
// history; else in the history of target's conversation. It answers as
// chat.postMessage would have. A look-up that fails is no delivery's
// failure: the caller posts, and err says why it could not look.
func (c *Channel) findPost(ctx context.Context, u broadcast.Update, target, key string, root post, threaded bool) (
	resp postResponse, found bool, err error) {
	oldest := slackTS(c.lookSince(u))
	if threaded {
		resp, found, err = c.search(ctx, "conversations.replies", root.channel, root.ts, key, oldest)
		var ae *APIError
		unread := errors.Is(err, errUnread)
		if found || err != nil && !unread && !(errors.As(err, &ae) && ae.Code == "thread_not_found") {
			return resp, found, err
		}
		// Not in the replies read, even in a thread longer than those:
		// a reply to a locked thread is at the top level.
		resp, found, herr := c.search(ctx, "conversations.history", root.channel, "", key, oldest)
		if found || herr != nil || !unread {
			return resp, found, herr
		}
		return resp, false, err // it may be among the replies not read
	}
	id := c.conversationID(target)
	if id == "" {
		return postResponse{}, false, errNoID
	}
	return c.search(ctx, "conversations.history", id, "", key, oldest)
}

// search reads the conversation channel (method conversations.history)
// or its thread ts (conversations.replies) from oldest on, page by page,
// at most lookPages pages, and returns the message carrying key, if
// any, each later page by Slack's cursor (see nextPage). Not
// found while Slack has more (beyond the bound, or a later page refused),
// the error says so (errUnread): the earlier attempt's post may lie beyond
// the pages read.
func (c *Channel) search(ctx context.Context, method, channel, ts, key, oldest string) (postResponse, bool, error) {
	q := url.Values{"channel": {channel}, "oldest": {oldest}, "limit": {strconv.Itoa(lookLimit)},
		"include_all_metadata": {"true"}}
	if ts != "" {
		q.Set("ts", ts)
	}
	for page := range lookPages {
		var list listResponse
		if err := c.read(ctx, method, q, &list); err != nil {
			if page > 0 { // as an app outside Slack's Marketplace is refused a second read
				return postResponse{}, false, fmt.Errorf("%w: %w", errUnread, err)
			}
			return postResponse{}, false, err
		}
		for _, m := range list.Messages {
			if _, ok := tsTime(m.TS); ok && m.carries(key) {
				return postResponse{Channel: channel, TS: m.TS, Message: &postedMessage{ThreadTS: m.ThreadTS}}, true, nil
			}
		}
		if !list.HasMore || len(list.Messages) == 0 || !nextPage(q, list) {
			return postResponse{}, false, nil
		}
	}
	return postResponse{}, false, fmt.Errorf("%s: %w (%d pages of %d messages read)", method, errUnread, lookPages, lookLimit)
}

// errUnread is search's error when the message is not in the pages read
// and Slack has more: beyond the bound, or refused (a rate limit).
var errUnread = errors.New("not found in the messages read, and there are more")

// nextPage sets q to read the page after list, by Slack's cursor, and
// reports whether there is one. The cursor, not the messages' times,
// says where the next page starts: history lists the newest first,
// replies the earliest, and neither order has to be assumed.
func nextPage(q url.Values, list listResponse) bool {
	next := list.Metadata.NextCursor
	q.Set("cursor", next)
	return next != ""
}

// lookSince is the oldest time an earlier attempt at u may have posted:
// shortly before u was written, and no earlier than lookWindow ago.
func (c *Channel) lookSince(u broadcast.Update) time.Time {
	now := c.s.now()
	lower := now.Add(-lookWindow)
	if t := u.Time.Add(-clockSkew); t.After(lower) && !u.Time.After(now.Add(clockSkew)) {
		lower = t
	}
	return lower
}

// slackTS writes t as a Slack timestamp, seconds and microseconds.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// conversationID returns the ID of target's conversation: target itself
// when it is one, else the ID Slack answered an earlier post there with
// (learn), or "" when there was none.
func (c *Channel) conversationID(target string) string {
	if isID(target) {
		return target
	}
	if id, ok := c.s.ids.Load(target); ok {
		return id.(string)
	}
	return ""
}

// learn keeps id as the ID of target's conversation.
func (c *Channel) learn(target, id string) {
	if id != "" && !isID(target) {
		c.s.ids.Store(target, id)
	}
}

// forget drops the ID kept for target's conversation after Slack found
// no conversation for to, the name or the ID a post went to: a name may
// be given to another conversation later, and its next post learns that
// one's ID; until then it is a name whose conversation is not known.
func (c *Channel) forget(target, to string) {
	if isID(target) {
		return
	}
	if isID(to) {
		c.s.ids.CompareAndDelete(target, to) // the thread's conversation, gone
		return
	}
	c.s.ids.Delete(target)
}

// notFound reports whether err is Slack's channel_not_found.
func notFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == "channel_not_found"
}

// conversationGone reports whether err is Slack's refusal of a post for
// its conversation: deleted (channel_not_found), archived (is_archived),
// or the bot removed from it (not_in_channel).
func conversationGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && slices.Contains(goneCodes, ae.Code)
}

// goneCodes are the codes of conversationGone.
var goneCodes = []string{"channel_not_found", "is_archived", "not_in_channel"}

// isID reports whether target is a conversation ID ("C0123ABCDEF"): a C,
// G or D and upper-case letters and digits. Names are lower-case.
func isID(target string) bool {
	if len(target) < 9 || target[0] != 'C' && target[0] != 'G' && target[0] != 'D' {
		return false
	}
	for _, r := range target {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
