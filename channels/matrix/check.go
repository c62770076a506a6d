package matrix

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Check verifies, without posting anything, that the access token is valid
// (GET /_matrix/client/v3/account/whoami), that its account has joined
// every room (its m.room.member state event there, GET
// /_matrix/client/v3/rooms/{roomId}/state/m.room.member/{userId}),
// resolving aliases afresh, and that no room was replaced by an upgrade
// (its m.room.tombstone), which leaves the old room closed to posts. It
// asks about the configured rooms only, so an account in many thousands of
// rooms is checked as fast as one in a few (GET /joined_rooms would list
// them all, in one answer). Its error names each room that fails, and why
// (an upgraded room's replacement among them: the last of a chain of
// upgrades, where posts go, or a chain that leads back to the room, which
// keeps the posts); the server's answers in it
// are *Error values, marked as Send's are.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	var who whoami
	if err := c.call(ctx, http.MethodGet, pathWhoami, nil, &who); err != nil {
		return fmt.Errorf("matrix: check: whoami: %w", err)
	}
	c.s.mu.Lock()
	c.s.user = who.UserID
	c.s.mu.Unlock()
	var errs checkErrors
	for _, t := range c.s.targets {
		room, err := t, error(nil)
		if !strings.HasPrefix(t, "!") {
			room, err = c.resolve(ctx, t) // afresh: an alias moves with an upgraded room
		}
		if err == nil {
			err = c.checkJoined(ctx, who.UserID, room)
		}
		if err == nil {
			err = c.checkReplaced(ctx, room)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("matrix: check: %w", errs)
	}
	return nil
}

// checkJoined returns an error unless user has joined room, as its
// m.room.member event there says. A room the user is not in refuses to
// show its state (403 M_FORBIDDEN), or, when anyone may read it, has no
// such event (404 M_NOT_FOUND); one the user left, was banned from or is
// only invited to shows that membership.
func (c *Channel) checkJoined(ctx context.Context, user, room string) error {
	var m member
	err := c.call(ctx, http.MethodGet, roomPath(room, "state", "m.room.member", user), nil, &m)
	var e *Error
	switch {
	case errors.As(err, &e) && (e.Code == "M_FORBIDDEN" || e.Code == "M_NOT_FOUND"):
		return fmt.Errorf("%s has not joined the room %s", user, room)
	case err != nil:
		return fmt.Errorf("read the account's m.room.member: %w", err)
	case m.Membership != "join":
		// Quoted as far as a snippet goes, redacted: the server's field
		// may be as long as its answer, and quote the request's token.
		return fmt.Errorf("%s has not joined the room %s (its membership there is %q)", user, room,
			httpx.RedactedSnippet(c.s.redactor, m.Membership))
	}
	return nil
}

// member is the content of an m.room.member event.
type member struct {
	Membership string `json:"membership"` // required
}

func (a *member) ours() bool { return a.Membership != "" }

// checkReplaced returns an error when room has been replaced by another
// (an m.room.tombstone in its state, as a room upgrade leaves): the old
// room refuses posts, though the account is still joined to it.
func (c *Channel) checkReplaced(ctx context.Context, room string) error {
	to, closed, err := c.replacedBy(ctx, room)
	switch {
	case err != nil:
		return fmt.Errorf("read the room's m.room.tombstone: %w", err)
	case to != "":
		last, loop, err := c.successor(ctx, room)
		switch {
		case err != nil:
			return err
		case loop:
			return fmt.Errorf("the room's m.room.tombstone names %s, whose replacements lead back to it: posts stay in this room", to)
		case last != to:
			return fmt.Errorf("the room was upgraded to %s, and that room since, to %s (update Config.Rooms)", to, last)
		}
		return fmt.Errorf("the room was upgraded to %s (update Config.Rooms)", to)
	case closed:
		return errors.New("the room was closed (m.room.tombstone)")
	}
	return nil
}

// replacedBy reads room's m.room.tombstone: closed is true when it has
// one, and to is the room that replaced it, if the tombstone names one
// (a room ID validID allows: no other is taken). A tombstone whose
// content names neither a replacement nor a body (as {}, with which
// Matrix clears a state event) is none.
func (c *Channel) replacedBy(ctx context.Context, room string) (to string, closed bool, err error) {
	var ts tombstone
	err = c.call(ctx, http.MethodGet, roomPath(room, "state", "m.room.tombstone", ""), nil, &ts)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND":
		return "", false, nil
	case err != nil:
		return "", false, err
	case validID('!', ts.Replacement) && ts.Replacement != room:
		return ts.Replacement, true, nil
	case ts.Replacement == "" && ts.Body == "":
		return "", false, nil
	}
	return "", true, nil
}

// tombstone is the content of a room's m.room.tombstone.
type tombstone struct {
	Body        string `json:"body"`
	Replacement string `json:"replacement_room"`
}

func (a *tombstone) ours() bool { return true } // any JSON object: the content is the room's

// whoami is the answer of GET /account/whoami.
type whoami struct {
	UserID string `json:"user_id"`
}

func (a *whoami) ours() bool { return validID('@', a.UserID) }

// checkErrors are the rooms that failed a check, one error each.
type checkErrors []error

// Error joins the rooms' errors with "; ".
func (e checkErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the rooms' errors, for errors.Is and errors.As.
func (e checkErrors) Unwrap() []error { return e }
