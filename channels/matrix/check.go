package matrix

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Check verifies, without posting anything, that the access token is valid
// (GET /_matrix/client/v3/account/whoami), that its account has joined
// every room (GET /_matrix/client/v3/joined_rooms), resolving aliases
// afresh, and that no room was replaced by an upgrade (its
// m.room.tombstone), which leaves the old room closed to posts. Its
// error names each room that fails, and why (an upgraded room's
// replacement among them); the server's answers in it are *Error values,
// marked as Send's are.
func (c *Channel) Check(ctx context.Context) error {
	var who whoami
	if err := c.call(ctx, http.MethodGet, pathWhoami, nil, &who); err != nil {
		return fmt.Errorf("matrix: check: whoami: %w", err)
	}
	var joined joinedRooms
	if err := c.call(ctx, http.MethodGet, pathJoined, nil, &joined); err != nil {
		return fmt.Errorf("matrix: check: joined rooms: %w", err)
	}
	var errs checkErrors
	for _, t := range c.s.targets {
		room, err := t, error(nil)
		if !strings.HasPrefix(t, "!") {
			room, err = c.resolve(ctx, t) // afresh: an alias moves with an upgraded room
		}
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", t, err))
		case !slices.Contains(joined.Rooms, room):
			errs = append(errs, fmt.Errorf("%s: %s has not joined the room %s", t, who.UserID, room))
		default:
			if err := c.checkReplaced(ctx, room); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", t, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("matrix: check: %w", errs)
	}
	return nil
}

// checkReplaced returns an error when room has been replaced by another
// (an m.room.tombstone in its state, as a room upgrade leaves): the old
// room refuses posts, though the account is still joined to it.
func (c *Channel) checkReplaced(ctx context.Context, room string) error {
	to, closed, err := c.replacedBy(ctx, room)
	switch {
	case err != nil:
		return fmt.Errorf("read the room's m.room.tombstone: %w", err)
	case to != "":
		return fmt.Errorf("the room was upgraded to %s (update Config.Rooms)", to)
	case closed:
		return errors.New("the room was closed (m.room.tombstone)")
	}
	return nil
}

// replacedBy reads room's m.room.tombstone: closed is true when it has
// one, and to is the room that replaced it, if the tombstone names one.
func (c *Channel) replacedBy(ctx context.Context, room string) (to string, closed bool, err error) {
	var ts tombstone
	err = c.call(ctx, http.MethodGet, roomPath(room, "state", "m.room.tombstone", ""), nil, &ts)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND":
		return "", false, nil
	case err != nil:
		return "", false, err
	case strings.HasPrefix(ts.Replacement, "!") && ts.Replacement != room:
		return ts.Replacement, true, nil
	}
	return "", true, nil
}

// tombstone is the content of a room's m.room.tombstone.
type tombstone struct {
	Replacement string `json:"replacement_room"`
}

func (a *tombstone) ours() bool { return true } // any JSON object: the content is the room's

// whoami is the answer of GET /account/whoami.
type whoami struct {
	UserID string `json:"user_id"`
}

func (a *whoami) ours() bool { return strings.HasPrefix(a.UserID, "@") }

// joinedRooms is the answer of GET /joined_rooms.
type joinedRooms struct {
	Rooms []string `json:"joined_rooms"` // required: [] when none
}

func (a *joinedRooms) ours() bool { return a.Rooms != nil }

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
