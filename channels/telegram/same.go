package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/same"
)

// deliverAll posts html to the chats f has to do, each chat and topic
// once (see package same). New refuses one chat named twice alike
// ("@examplestatus", "@ExampleStatus"), but a username and a numeric id
// ("@examplestatus", "-1001234567890") can only be told to be one by
// Telegram: its answer to a message names the chat's id.
func (c *Channel) deliverAll(ctx context.Context, m broadcast.Message, f *broadcast.Fanout, html string, preview *linkPreviewOptions) {
	var stop stopper
	c.learnChats(ctx, m.Thread, f.Todo(), &stop)
	same.Deliver(f, same.Plan[posted]{
		Targets: c.s.targets,
		Noun:    "chat",
		Dest:    func(i int) string { return c.destOf(m.Thread, c.s.chats[i]) },
		Post: func(i int) (same.Posted[posted], error) {
			ch := c.s.chats[i]
			var p posted
			err := stop.try(ctx, func() error {
				var err error
				p, err = c.post(ctx, ch, html, preview, threadReply(m.Thread, ch.target, len(c.s.chats)))
				return err
			})
			if err != nil {
				if isChatNotFound(err) {
					c.s.learned.Delete(ch.target) // the username names no chat now
				}
				return same.Posted[posted]{}, err
			}
			d := ""
			if p.chatID != 0 {
				c.s.learned.Store(ch.target, p.chatID)
				d = dest(p.chatID, ch.topic)
			}
			return same.Posted[posted]{Post: p, Dest: d, Receipt: p.receipt(ch.target)}, nil
		},
		Moves: func(i int) bool {
			_, name := c.s.chats[i].id.(string) // "@username"
			return name
		},
		Undo: func(_ int, p posted) error {
			// A second message in a chat that has the update: deleted
			// at once, unless its id is not known (cut short).
			if p.messageID == 0 {
				return errCut
			}
			_, _, err := c.call(ctx, "deleteMessage", deleteMessage{ChatID: p.chatID, MessageID: p.messageID})
			return err
		},
		Earlier: c.earlierIn,
		Receipt: func(i int, p posted) broadcast.Receipt { return p.receipt(c.s.targets[i]) },
	})
}

// learnChats asks getChat for the chat id of each of the chats todo
// (indexes of c.s.chats) whose id is not known, when two or more are
// not: "@usernames" the Channel never posted to, which may name one chat
// (a channel has several active usernames), and would each post there.
// Known, they are one destination, which gets one message. One entry
// whose chat is not known asks nothing: its message's answer names the
// chat. A getChat that fails teaches nothing, and the entry posts as
// without it; one refused for flood control (429, retry_after) asks no
// more getChat in the attempt, as every request before the wait ends is
// refused; one that shows no request can succeed stops the attempt (see
// stopper).
func (c *Channel) learnChats(ctx context.Context, t broadcast.Thread, todo []int, stop *stopper) {
	var unknown []chat
	for _, i := range todo {
		if ch := c.s.chats[i]; c.destOf(t, ch) == "" {
			unknown = append(unknown, ch)
		}
	}
	if len(unknown) < 2 {
		return
	}
	asked := map[string]int64{} // by username, in any case: its topics' entries ask once
	for _, ch := range unknown {
		name := strings.ToLower(fmt.Sprint(ch.id))
		if id, ok := asked[name]; ok {
			if id != 0 {
				c.s.learned.Store(ch.target, id)
			}
			continue
		}
		var result json.RawMessage
		var e *APIError
		err := stop.try(ctx, func() error {
			var err error
			result, e, err = c.call(ctx, "getChat", getChat{ChatID: ch.id})
			return err
		})
		if e != nil && floodControl(e) {
			// Told to wait: a request before then is refused too, and
			// may lengthen the wait. The rest post as without it.
			return
		}
		var info struct {
			ID int64 `json:"id"`
		}
		if err == nil && json.Unmarshal(result, &info) == nil && info.ID != 0 {
			c.s.learned.Store(ch.target, info.ID)
		}
		asked[name] = info.ID
	}
}

// dest names the chat id and topic a message goes to.
func dest(chatID, topic int64) string {
	if topic == 0 {
		return strconv.FormatInt(chatID, 10)
	}
	return strconv.FormatInt(chatID, 10) + "/" + strconv.FormatInt(topic, 10)
}

// destOf returns the chat and topic ch posts to, when its chat's id is
// known: configured, answered to an earlier message there, or recorded in
// the incident's thread; "" when none is.
func (c *Channel) destOf(t broadcast.Thread, ch chat) string {
	if id, ok := c.chatID(ch).(int64); ok {
		return dest(id, ch.topic)
	}
	if id, ok := c.s.learned.Load(ch.target); ok {
		return dest(id.(int64), ch.topic)
	}
	for _, r := range []broadcast.Receipt{t.Last, t.Root} {
		if p, ok := postedIn(r, ch.target); ok {
			return dest(p.chatID, ch.topic)
		}
	}
	return ""
}

// earlierIn returns a message in d that r, the receipt of earlier
// attempts, names under one of the configured chats, and that chat.
func (c *Channel) earlierIn(r broadcast.Receipt, d string) (posted, string, bool) {
	for _, ch := range c.s.chats {
		if p, ok := postedIn(r, ch.target); ok && dest(p.chatID, ch.topic) == d {
			// Posted to a username: the chat's, for its public link.
			if name, ok := ch.id.(string); ok {
				p.username = strings.TrimPrefix(name, "@")
			}
			return p, ch.target, true
		}
	}
	return posted{}, "", false
}

// stopper fails the requests of an attempt once one showed that none can
// succeed: the Bot API refused the token (or another server answered in
// its place), or ctx ended. It is for requests made in turn.
type stopper struct{ err error }

// try calls do unless the attempt is to stop, and returns its error, or
// the stop's without a request.
func (s *stopper) try(ctx context.Context, do func() error) error {
	if s.err == nil && ctx.Err() != nil {
		s.err = fmt.Errorf("not attempted: %w", ctx.Err())
	}
	if s.err != nil {
		return s.err
	}
	err := do()
	if errors.Is(err, errTokenRefused) || errors.Is(err, errNotBotAPI) {
		s.err = err
	}
	return err
}
