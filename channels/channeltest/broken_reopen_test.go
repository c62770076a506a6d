package channeltest_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// chatConn is a connection to the chat's back end that every channel on
// that back end shares while one of them is open, as a client pooling its
// connections by server does; it holds the platform's handle of each post
// made through it, which Edit and Retract need. Once the last channel
// using it is closed it is gone, and its handles with it.
type chatConn struct {
	mu      sync.Mutex
	users   int
	handles map[string]bool // post id: handle known
}

// chatConns are the open connections, by back end.
var chatConns = struct {
	sync.Mutex
	by map[*fakeChat]*chatConn
}{by: map[*fakeChat]*chatConn{}}

// dial returns the open connection to api, or a new one.
func dial(api *fakeChat) *chatConn {
	chatConns.Lock()
	defer chatConns.Unlock()
	c := chatConns.by[api]
	if c == nil {
		c = &chatConn{handles: map[string]bool{}}
		chatConns.by[api] = c
	}
	c.mu.Lock()
	c.users++
	c.mu.Unlock()
	return c
}

// hangUp releases c, closing it when no channel on api uses it any more.
func hangUp(api *fakeChat, c *chatConn) {
	chatConns.Lock()
	defer chatConns.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users--; c.users == 0 {
		delete(chatConns.by, api)
	}
}

func (c *chatConn) remember(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handles[id] = true
}

func (c *chatConn) knows(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handles[id]
}

// connChat is the reference chat on a shared connection, an io.Closer:
// it edits and deletes only posts whose handle its connection holds. A
// channel from Harness.Reopen made while the first channel is open shares
// that connection and can; after a restart, none can. It is no pointer,
// so that its nil value is not called.
type connChat struct {
	*chat
	conn   *chatConn
	closed *atomic.Bool
	once   *sync.Once
}

// errNoHandle is connChat's error for a post its connection holds no
// handle of.
func errNoHandle(op, id string) error {
	return broadcast.Permanent(fmt.Errorf("chat: %s %s: no handle of the post on this connection", op, id))
}

func (c connChat) Close() error {
	c.once.Do(func() {
		c.closed.Store(true)
		hangUp(c.api, c.conn)
	})
	return nil
}

func (c connChat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if c.closed.Load() {
		return broadcast.Receipt{}, broadcast.Permanent(errChatClosed)
	}
	r, err := c.chat.Send(ctx, m)
	if err == nil {
		c.conn.remember(r.ID)
	}
	return r, err
}

func (c connChat) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if c.closed.Load() {
		return broadcast.Receipt{}, broadcast.Permanent(errChatClosed)
	}
	if !c.conn.knows(prev.ID) {
		return broadcast.Receipt{}, errNoHandle("edit", prev.ID)
	}
	return c.chat.Edit(ctx, m, prev)
}

func (c connChat) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if c.closed.Load() {
		return broadcast.Permanent(errChatClosed)
	}
	if !c.conn.knows(prev.ID) {
		return errNoHandle("delete", prev.ID)
	}
	return c.chat.Retract(ctx, prev)
}

// onConn returns the chat made from ch on a connection to its back end.
func onConn(t *testing.T, ch broadcast.Channel) connChat {
	c := ch.(*chat)
	cc := connChat{chat: c, conn: dial(c.api), closed: new(atomic.Bool), once: new(sync.Once)}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// keepsHandlesOnConnection returns the reference harness with its channels
// on shared connections: New's, and Reopen's on the same back end.
func keepsHandlesOnConnection() channeltest.Harness {
	h := chatHarness()
	newChat, reopen := h.New, h.Reopen
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		return onConn(t, ch), be
	}
	h.Reopen = func(t *testing.T, be channeltest.Backend) broadcast.Channel {
		return onConn(t, reopen(t, be))
	}
	return h
}

// reopenCases are the broken channels of a harness whose channels own
// their connections. A channel from Reopen deletes a post "by hand"
// (EditOfGonePost) while the one from New is still open, on the
// connection of that one: only a channel of a new process, New's closed,
// shows that a post made before a restart can no longer be edited or
// deleted.
func reopenCases() []brokenCase {
	return []brokenCase{
		{"KeepsPostHandlesOnConnection", keepsHandlesOnConnection(), []string{"EditAndRetractAfterRestart"},
			slices.DeleteFunc(slices.Clone(closableNotRun), func(r string) bool { return slices.Contains(reopenOnly, r) }),
			"no handle of the post on this connection"},
	}
}
