package telegram

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// Send posts m.Update to every chat that m.Ledger does not report done,
// replying to the incident's latest message in each (see the package
// documentation for the errors).
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("telegram: post: %w", err)
	}
	html, _, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	preview := previewOptions(c.s.preview, m.Update.URL)
	f := broadcast.NewFanout(m, c.s.targets)
	c.deliverAll(ctx, m, f, html, preview)
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("telegram: post: %w", err)
	}
	r := f.Receipt() // the messages of earlier attempts too, from the Ledger
	r.Channel, r.Time = c.name, c.s.now().UTC().Round(0)
	return r, nil
}

// post sends one message to ch, replying to reply (none when its
// messageID is 0), following a group's migration to a supergroup once.
func (c *Channel) post(ctx context.Context, ch chat, html string, preview *linkPreviewOptions, reply posted) (posted, error) {
	_, moved := c.s.migrated.Load(ch.target)
	// A username's chat by its id, when an answer told it: a username
	// that moved replies to no message of its old chat, whose id names
	// another message in the new one, or none.
	at := c.chatID(ch)
	if id, ok := c.s.learned.Load(ch.target); ok && !moved {
		at = id
	}
	to := c.chatID(ch)
	in := sendMessage{ChatID: to, MessageThreadID: ch.topicIn(to), Text: html, ParseMode: parseMode,
		LinkPreviewOptions: preview, ReplyParameters: replyIn(at, reply, moved)}
	result, e, err := c.call(ctx, "sendMessage", in)
	if e != nil && e.MigrateToChatID != 0 {
		c.s.migrated.Store(ch.target, e.MigrateToChatID)
		// Only to a message of the supergroup's, not of the old group's,
		// and in no topic of the group's (see topicIn).
		in.ChatID, in.ReplyParameters = e.MigrateToChatID, replyIn(e.MigrateToChatID, reply, true)
		in.MessageThreadID = ch.topicIn(e.MigrateToChatID)
		result, _, err = c.call(ctx, "sendMessage", in)
	}
	if err != nil {
		return posted{}, err
	}
	msg, err := parseMessage(result)
	if err != nil {
		// Posted ({"ok":true}), but the answer that names the message was
		// cut short or does not read as one: a retry would post twice.
		return posted{}, nil
	}
	return posted{chatID: msg.Chat.ID, messageID: msg.MessageID, username: msg.Chat.Username, topic: msg.topic()}, nil
}

// topicIn returns the forum topic ch posts to in the chat chatID (an
// int64, or ch's "@username"): ch's topic, but none in the supergroup
// ch's group became, which numbers its topics anew: the group's topic id
// names none there, or another, and the Bot API refuses the first for
// good ("message thread not found"). The message goes to the
// supergroup's General topic instead.
func (ch chat) topicIn(chatID any) int64 {
	if id, ok := ch.id.(int64); ok && chatID != any(id) {
		return 0
	}
	return ch.topic
}

// replyIn returns the reply_parameters of a message to chat replying to
// reply: nil for no reply, or when reply is known to be in another chat,
// or, with moved (chat is the supergroup a group became), not known to be
// in chat. A group upgraded to a supergroup is a new chat whose messages
// are numbered anew (the old group's stay behind it), so there an old
// group's message id would name another message, or none.
func replyIn(chat any, reply posted, moved bool) *replyParameters {
	id, byNumber := chat.(int64)
	if reply.messageID == 0 || byNumber && reply.chatID != id && (reply.chatID != 0 || moved) {
		return nil
	}
	return &replyParameters{MessageID: reply.messageID, AllowSendingWithoutReply: true}
}

// chatID returns the chat_id to post to for ch: its supergroup when the
// group migrated.
func (c *Channel) chatID(ch chat) any {
	if id, ok := c.s.migrated.Load(ch.target); ok {
		return id
	}
	return ch.id
}

// threadReply returns the message to reply to in target: the one of the
// incident's latest update there, or else, when that update did not reach
// target (it failed there for good, or its answer was cut short), the
// incident's first message there; a zero messageID for none.
func threadReply(t broadcast.Thread, target string, chats int) posted {
	if p := replyTo(t.Last, target, chats); p.messageID != 0 {
		return p
	}
	return replyTo(t.Root, target, chats)
}

// replyTo returns the message of receipt last in target, from its Meta; a
// zero messageID for none. A single chat's receipt without Meta replies to
// its ID, in a chat unknown (chatID 0).
func replyTo(last broadcast.Receipt, target string, chats int) posted {
	if p, ok := postedIn(last, target); ok {
		return p
	}
	if id, err := strconv.ParseInt(last.ID, 10, 64); err == nil && chats == 1 && len(last.Meta) == 0 {
		return posted{messageID: id}
	}
	return posted{}
}

// fanOut runs do for each chat f has to do, in order, and reports its
// outcome to f at once. Once the Bot API refused the token (or another server answered in its
// place), or ctx ended, the chats left fail with that error without a
// request.
func (c *Channel) fanOut(ctx context.Context, f *broadcast.Fanout, chats []chat, do func(chat) error) {
	var stop stopper
	for _, i := range f.Todo() {
		f.Report(i, stop.try(ctx, func() error { return do(chats[i]) }))
	}
}

// receipt is the Ledger's record of p, target's message: its id and link,
// and in Meta its id and its chat's. A message whose answer was cut short
// (no id) is recorded with an empty id, so that an Edit or a Retract
// knows the chat has it.
func (p posted) receipt(target string) broadcast.Receipt {
	if p.messageID == 0 {
		return broadcast.Receipt{Meta: map[string]string{metaMessage(target): ""}}
	}
	return broadcast.Receipt{ID: strconv.FormatInt(p.messageID, 10), URL: p.link(), Meta: map[string]string{
		metaMessage(target): strconv.FormatInt(p.messageID, 10),
		metaChat(target):    strconv.FormatInt(p.chatID, 10),
	}}
}

// inReceipt returns the chats with a message in r, and their messages:
// the configured chats first, in their order, then, sorted, chats r names
// that Config.Chats no longer does (removed since the post, which still
// shows there), by the chat id r records.
//
// A chat whose message's answer was cut short is among them, with a zero
// message: it shows the message, but its id is not known.
func (c *Channel) inReceipt(r broadcast.Receipt) ([]chat, []posted) {
	var chats []chat
	var msgs []posted
	for _, ch := range c.s.chats {
		if p, ok := postedIn(r, ch.target); ok || cutIn(r, ch.target) {
			chats, msgs = append(chats, ch), append(msgs, p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		target, ok := strings.CutPrefix(k, metaMessage(""))
		if !ok || slices.Contains(c.s.targets, target) {
			continue
		}
		if p, ok := postedIn(r, target); ok || cutIn(r, target) {
			chats, msgs = append(chats, chat{target: target, id: p.chatID}), append(msgs, p)
		}
	}
	return chats, msgs
}

// cutIn reports whether r records a message in target whose answer was
// cut short: posted, its id not known.
func cutIn(r broadcast.Receipt, target string) bool {
	id, ok := r.Meta[metaMessage(target)]
	return ok && id == ""
}

// errCut is the error of an Edit or a Retract in a chat whose message's id
// is not known (its answer was cut short).
var errCut = errors.New("its message id is not known (the answer was cut short)")

// targetsOf returns the Ledger targets of chats.
func targetsOf(chats []chat) []string {
	out := make([]string, len(chats))
	for i, ch := range chats {
		out[i] = ch.target
	}
	return out
}

// Edit replaces the text of prev's message in each chat with m.Update's
// (editMessageText). A message Telegram finds unchanged counts as edited;
// one gone fails that chat with broadcast.ErrPostGone, and one Telegram
// will not edit with broadcast.ErrNotEditable: the Broadcaster posts the
// correction anew in that chat.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("telegram: edit: %w", err)
	}
	chats, msgs := c.inReceipt(prev)
	if len(chats) == 0 {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("telegram: edit: the receipt names no message of this channel's chats"))
	}
	html, _, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	preview := previewOptions(c.s.preview, m.Update.URL)
	f := broadcast.NewFanout(m, targetsOf(chats))
	c.fanOut(ctx, f, chats, once(chats, msgs, func(ch chat) error {
		p := msgs[indexOf(chats, ch)]
		if p.messageID == 0 {
			// Posted, its answer cut short: the Broadcaster posts the
			// correction anew there.
			return broadcast.Permanent(fmt.Errorf("%w: %w", broadcast.ErrNotEditable, errCut))
		}
		in := editMessageText{ChatID: p.chatID, MessageID: p.messageID, Text: html, ParseMode: parseMode, LinkPreviewOptions: preview}
		_, e, err := c.call(ctx, "editMessageText", in)
		switch {
		case e.has("message is not modified"):
			return nil // already as asked: an earlier attempt's answer was lost
		case e.has("message to edit not found"):
			// Deleted by hand: the Broadcaster posts the correction anew.
			return fmt.Errorf("%w: %w", broadcast.ErrPostGone, err)
		case e.has("message can't be edited") || e.has("message_id_invalid"):
			// Telegram keeps it as it is (too old to edit), or its servers
			// refuse its id (deleted where the Bot API did not learn of
			// it): likewise.
			return fmt.Errorf("%w: %w", broadcast.ErrNotEditable, err)
		case e != nil && e.MigrateToChatID != 0:
			// Still there, in the old group's history, which takes no
			// edit any more: likewise, the post anew in the supergroup.
			return fmt.Errorf("%w: %w: %w", broadcast.ErrNotEditable, c.moved(ch, p, e), err)
		}
		return err
	}))
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("telegram: edit: %w", err)
	}
	return broadcast.Receipt{Channel: c.name, ID: prev.ID, URL: prev.URL, Time: c.s.now().UTC().Round(0),
		Meta: maps.Clone(prev.Meta)}, nil
}

// Retract deletes prev's message in each chat (deleteMessage). A message
// already gone counts as deleted; one Telegram will not delete (sent more
// than 48 hours ago) fails that chat with an error wrapping
// broadcast.ErrNotSupported.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("telegram: delete: %w", err)
	}
	chats, msgs := c.inReceipt(prev)
	if len(chats) == 0 {
		return broadcast.Permanent(errors.New("telegram: delete: the receipt names no message of this channel's chats"))
	}
	f := broadcast.NewFanout(broadcast.Message{}, targetsOf(chats)) // no Ledger: a retry deletes again
	c.fanOut(ctx, f, chats, once(chats, msgs, func(ch chat) error {
		return c.remove(ctx, ch, msgs[indexOf(chats, ch)])
	}))
	if err := f.Err(); err != nil {
		return fmt.Errorf("telegram: delete: %w", err)
	}
	return nil
}

// remove deletes p, ch's message.
func (c *Channel) remove(ctx context.Context, ch chat, p posted) error {
	if p.messageID == 0 {
		return broadcast.Permanent(fmt.Errorf("%w: delete it by hand", errCut))
	}
	_, e, err := c.call(ctx, "deleteMessage", deleteMessage{ChatID: p.chatID, MessageID: p.messageID})
	switch {
	case e.has("message to delete not found"):
		return nil // already gone
	case e.has("message can't be deleted"):
		return broadcast.Permanent(fmt.Errorf("%w: %w", broadcast.ErrNotSupported, err))
	case e != nil && e.MigrateToChatID != 0:
		return broadcast.Permanent(fmt.Errorf("%w: message %d cannot be deleted any more: %w: %w",
			broadcast.ErrNotSupported, p.messageID, c.moved(ch, p, e), err))
	}
	return err
}

// moved records that ch's group, where p is, became the supergroup e
// names, so that the next message goes there at once, and returns an
// error saying so. Every method naming the old group is refused then, and
// its messages stay behind in it: the supergroup numbers its own anew.
func (c *Channel) moved(ch chat, p posted, e *APIError) error {
	c.s.migrated.Store(ch.target, e.MigrateToChatID)
	return fmt.Errorf("the group %d is now the supergroup %d, and its messages stay behind in the group",
		p.chatID, e.MigrateToChatID)
}

// once returns do, made once per message: a chat named twice (by its
// "@username" and its id) has one message of an update, which both
// entries' receipts name; the second entry takes the first's outcome
// rather than edit or delete it again. msgs are the messages of chats.
func once(chats []chat, msgs []posted, do func(chat) error) func(chat) error {
	done := map[posted]error{}
	return func(ch chat) error {
		p := msgs[indexOf(chats, ch)]
		key := posted{chatID: p.chatID, messageID: p.messageID}
		if err, ok := done[key]; ok && p.messageID != 0 {
			return err
		}
		err := do(ch)
		done[key] = err
		return err
	}
}

func indexOf(chats []chat, ch chat) int {
	for i, o := range chats {
		if o.target == ch.target {
			return i
		}
	}
	return -1
}
