package matrix

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Check verifies, without posting anything, that the access token is valid
// (GET /_matrix/client/v3/account/whoami) and that its account has joined
// every room (GET /_matrix/client/v3/joined_rooms), resolving aliases. Its
// error names each room that fails, and why; the server's answers in it
// are *Error values, marked as Send's are.
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
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("matrix: check: %w", errs)
	}
	return nil
}

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
