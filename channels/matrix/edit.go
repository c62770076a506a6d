package matrix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// errNoEvent is the error of Edit and Retract given a receipt that records
// no event of this channel.
var errNoEvent = errors.New("the receipt records no Matrix event")

// Edit replaces each room's post that prev records with m's update, by an
// m.replace event, and returns the receipt of those posts. Rooms are Ledger
// targets as in Send. See the package documentation.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	text, err := c.render(m.Update, true)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	posts := c.postsOf(prev)
	if len(posts) == 0 {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("matrix: edit: %w", errNoEvent))
	}
	f := broadcast.NewFanout(m, targetsOf(posts))
	fanOut(ctx, f, func(i int) (*broadcast.Receipt, error) {
		p := posts[i]
		if err := c.editable(ctx, p); err != nil {
			return nil, err
		}
		_, err := c.send(ctx, p.room, editKey(m.Key(p.target), p.event), encode(edit(c.s.msgtype, text, p.event)))
		if err != nil && refused(err) {
			if _, closed, rerr := c.replacedBy(ctx, p.room); rerr == nil && closed {
				// An upgraded room refuses the account's events: the
				// correction is posted anew, in the room that replaced it.
				err = fmt.Errorf("%w: the room was upgraded: %w", broadcast.ErrNotEditable, err)
			}
		}
		return nil, err
	})
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("matrix: edit: %w", err)
	}
	return c.receipt(posts), nil
}

// editKey is the transaction ID of the edit of event under key, the
// correction's Message.Key for the room: the same on every attempt, and not
// key itself, which the correction is posted anew under where the edit
// fails. Under one transaction ID the homeserver would answer the post
// anew with an earlier edit's event, hidden with the redacted original.
func editKey(key, event string) string {
	sum := sha256.Sum256([]byte("outagecast-edit-v1;" + key + ";" + event))
	return hex.EncodeToString(sum[:16])
}

// editable returns nil when p's event is still in its room, and an error
// wrapping broadcast.ErrPostGone when it was redacted (its content is
// empty, or unsigned says so) or the homeserver does not know it (404
// M_NOT_FOUND): a redacted original hides every edit of it, so the
// correction must be posted anew.
func (c *Channel) editable(ctx context.Context, p post) error {
	var ev roomEvent
	err := c.call(ctx, http.MethodGet, roomPath(p.room, "event", p.event), nil, &ev)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND":
		return fmt.Errorf("%w: %w", broadcast.ErrPostGone, err)
	case err != nil:
		return err
	case len(ev.Content) == 0 || len(ev.Unsigned.RedactedBecause) > 0:
		return fmt.Errorf("%w: event %s was redacted", broadcast.ErrPostGone, p.event)
	}
	return nil
}

// roomEvent is an event read back, in the client format.
type roomEvent struct {
	EventID  string                     `json:"event_id"`
	Content  map[string]json.RawMessage `json:"content"`
	Unsigned struct {
		RedactedBecause json.RawMessage `json:"redacted_because"`
	} `json:"unsigned"`
}

func (e *roomEvent) ours() bool { return strings.HasPrefix(e.EventID, "$") }

// Retract redacts each room's post that prev records; a post already gone
// counts as redacted. It keeps no Ledger: a retry redacts every post again,
// under the same transaction IDs. See the package documentation.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	posts := c.postsOf(prev)
	if len(posts) == 0 {
		return broadcast.Permanent(fmt.Errorf("matrix: retract: %w", errNoEvent))
	}
	targets := targetsOf(posts)
	f := broadcast.NewFanout(broadcast.Message{}, targets)
	fanOut(ctx, f, func(i int) (*broadcast.Receipt, error) { return nil, c.redact(ctx, posts[i]) })
	if err := f.Err(); err != nil {
		return fmt.Errorf("matrix: retract: %w", err)
	}
	return nil
}

// redact redacts p's event; one that is not found is gone already.
func (c *Channel) redact(ctx context.Context, p post) error {
	var a eventAnswer
	err := c.call(ctx, http.MethodPut, roomPath(p.room, "redact", p.event, redactKey(p.room, p.event)), []byte("{}"), &a)
	var e *Error
	if errors.As(err, &e) && e.Code == "M_NOT_FOUND" {
		return nil
	}
	return err
}

// targetsOf returns the rooms of posts, as configured.
func targetsOf(posts []post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.target
	}
	return out
}
