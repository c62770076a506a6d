package matrix

import (
	"context"

	"github.com/outagecast/outagecast/broadcast"
)

// SentFor looks for the event c posted of m to room, the room of target
// as configured, by its transaction ID there, as a retry of a post whose
// outcome is unknown does (see sent).
func SentFor(ctx context.Context, c *Channel, m broadcast.Message, target, room string) (string, bool, error) {
	return c.sent(ctx, room, sendKey(m.Key(target), target, room))
}

// SendKey is the transaction ID of a post under key, the Message.Key of
// target, in the room room (see sendKey).
func SendKey(key, target, room string) string { return sendKey(key, target, room) }
