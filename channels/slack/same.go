package slack

import (
	"context"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/same"
)

// deliverAll posts msg to the targets f has to do, each conversation
// once (see package same). New refuses one conversation named twice
// alike ("#ops", "ops"), but a name and an ID ("#ops", "C0123ABCDEF") can
// only be told apart by Slack: its answer to a post tells the
// conversation's ID.
func (c *Channel) deliverAll(ctx context.Context, m broadcast.Message, f *broadcast.Fanout, msg message) {
	targets := c.s.targets
	same.Deliver(f, same.Plan[post]{
		Targets: targets,
		Noun:    "conversation",
		Dest:    func(i int) string { return c.conversationOf(m, targets[i]) },
		Post: func(i int) (same.Posted[post], error) {
			o := c.deliver(ctx, m, targets[i], msg)
			return same.Posted[post]{Post: o.p, Dest: o.p.channel, Receipt: o.receipt(targets[i])}, o.err
		},
		Earlier: func(earlier broadcast.Receipt, id string) (post, string, bool) {
			return postedIn(earlier, targets, id)
		},
		Receipt: func(i int, p post) broadcast.Receipt { return outcome{p: p}.receipt(targets[i]) },
		Undo: func(_ int, p post) error {
			if p.ts == "" {
				return errNoPost // posted, its answer cut off: it stays
			}
			// A deletion whose outcome is unknown, after which the
			// message is not listed, removed it: the target records
			// the other post, not one that may be gone. One after
			// which the read fails too leaves it recorded: it may
			// be up, and only its record lets Retract delete it.
			if err := c.remove(ctx, p); !c.deleted(ctx, p, err, false) {
				return err
			}
			return nil
		},
		Each:  each,
		Moves: func(i int) bool { return !isID(targets[i]) }, // a name Slack may give another conversation
	})
}

// conversationOf returns the ID of target's conversation: target itself
// when it is one, the ID Slack answered a post there with, or that of
// target's post in the incident's thread; "" when none is known.
func (c *Channel) conversationOf(m broadcast.Message, target string) string {
	if id := c.conversationID(target); id != "" {
		return id
	}
	if root, ok := threadOf(m.Thread, target); ok {
		return root.channel
	}
	return ""
}

// postedIn returns the post in the conversation id that r, the receipt of
// earlier attempts, names under one of targets, and that target.
func postedIn(r broadcast.Receipt, targets []string, id string) (post, string, bool) {
	for _, t := range targets {
		if p, ok := postOf(r, t); ok && p.channel == id {
			return p, t, true
		}
	}
	return post{}, "", false
}
