package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

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
				d = dest(p.chatID, ch.topicIn(p.chatID))
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
// chat. A username's getChat under way for another Send is waited for,
// not asked again (see asking). A getChat that fails teaches nothing,
// and the entry posts as without it; one refused for flood control
// (429, retry_after) asks no more getChat in the attempt, as every
// request before the wait ends is refused; one refusing the bot token
// (401, or a Bot API server's 421: tokenRefused) stops the attempt (see
// stopper). Any other refusal, as "chat
// not found", or another server's page (a relay that does not forward
// getChat), stops nothing: Send asked no getChat before it looked up
// usernames, and the entries' messages show what holds.
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
		if stop.err == nil && ctx.Err() != nil {
			stop.err = fmt.Errorf("not attempted: %w", ctx.Err())
		}
		if stop.err != nil {
			return
		}
		id, flood := c.s.asking.do(ctx, c, name, ch, stop)
		if flood {
			// Told to wait: a request before then is refused too, and
			// may lengthen the wait. The rest post as without it.
			return
		}
		asked[name] = id
	}
}

// asking is the getChat of each username under way, so that concurrent
// Sends (a dispatcher's workers) ask once per username: a Send that
// finds one under way waits for its answer. Its zero value is ready to
// use.
type asking struct {
	mu      sync.Mutex
	flights map[string]*flight // by lower-case username
	// waiting, when set (by tests), is called as a Send starts waiting
	// for another's getChat.
	waiting func()
}

// flight is one getChat under way: done is closed once id (0 when it
// taught nothing) and flood are set.
type flight struct {
	done  chan struct{}
	id    int64
	flood bool
}

// do returns the chat id of ch's username name (0 when getChat taught
// nothing), learned for ch's entry, and whether getChat was refused for
// flood control: from getChat, or from another Send's getChat of name
// under way. An entry whose id another Send learned meanwhile asks
// nothing.
func (a *asking) do(ctx context.Context, c *Channel, name string, ch chat, stop *stopper) (int64, bool) {
	a.mu.Lock()
	if id, ok := c.s.learned.Load(ch.target); ok {
		a.mu.Unlock()
		return id.(int64), false
	}
	if fl := a.flights[name]; fl != nil {
		wait := a.waiting
		a.mu.Unlock()
		if wait != nil {
			wait()
		}
		select {
		case <-fl.done:
			if fl.id != 0 {
				c.s.learned.Store(ch.target, fl.id)
			}
			return fl.id, fl.flood
		case <-ctx.Done():
			return 0, false
		}
	}
	fl := &flight{done: make(chan struct{})}
	if a.flights == nil {
		a.flights = map[string]*flight{}
	}
	a.flights[name] = fl
	a.mu.Unlock()
	defer func() {
		// Learned before the flight ends, under a.mu: a Send that does
		// not find the flight finds the id. Deferred: a panic in the
		// request must not leave the waiting Sends waiting.
		a.mu.Lock()
		if fl.id != 0 {
			c.s.learned.Store(ch.target, fl.id)
		}
		delete(a.flights, name)
		a.mu.Unlock()
		close(fl.done)
	}()
	fl.id, fl.flood = c.getChatID(ctx, ch, stop)
	return fl.id, fl.flood
}

// getChatID asks getChat for ch's chat id: 0 when the answer tells none,
// and whether getChat was refused for flood control. A refusal of the bot
// token (tokenRefused: 401, or a Bot API server's 421) stops the attempt
// (stop), as it stops a Send's messages; no other failure does.
func (c *Channel) getChatID(ctx context.Context, ch chat, stop *stopper) (int64, bool) {
	result, e, err := c.call(ctx, "getChat", getChat{ChatID: ch.id})
	switch {
	case e != nil && floodControl(e):
		return 0, true
	case tokenRefused(e):
		stop.err = err
		return 0, false
	case err != nil:
		return 0, false
	}
	var info struct {
		ID int64 `json:"id"`
	}
	if json.Unmarshal(result, &info) != nil {
		return 0, false
	}
	return info.ID, false
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
		return dest(id, ch.topicIn(id))
	}
	if id, ok := c.s.learned.Load(ch.target); ok {
		return dest(id.(int64), ch.topic)
	}
	for _, r := range []broadcast.Receipt{t.Last, t.Root} {
		if p, ok := postedIn(r, ch.target); ok {
			return dest(p.chatID, ch.topicIn(p.chatID))
		}
	}
	return ""
}

// earlierIn returns a message in d that r, the receipt of earlier
// attempts, names under one of the configured chats, and that chat.
func (c *Channel) earlierIn(r broadcast.Receipt, d string) (posted, string, bool) {
	for _, ch := range c.s.chats {
		if p, ok := postedIn(r, ch.target); ok && dest(p.chatID, ch.topicIn(p.chatID)) == d {
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
