package slack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/outagecast/outagecast/broadcast"
)

// errNoPost is the error of Edit and Retract given a receipt that names
// no Slack message.
var errNoPost = errors.New("the receipt names no Slack message")

// Edit replaces the text of the message prev (this channel's receipt of
// an earlier update) with m's update in every conversation it was posted
// to, as one attempt; see the package documentation. In incoming-webhook
// mode it fails with an error wrapping broadcast.ErrNotEditable, so that
// Broadcaster.Correct posts the correction as a new message (and says
// so: its Result is not Edited).
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("slack: edit: %w", err)
	}
	if c.s.webhook != "" {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: edit: %w: an incoming webhook cannot edit messages",
			broadcast.ErrNotEditable))
	}
	m.Update = m.Update.WithDefaults(c.s.now().UTC())
	msg, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: render: %w", err))
	}
	targets := append(targetsOf(prev, c.s.targets), cutTargets(prev, c.s.targets)...)
	if len(targets) == 0 {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: edit: %w", errNoPost))
	}
	// The status bar follows a correction of the thread's latest reply.
	latest := prev.UpdateID != "" && prev.UpdateID == m.Thread.Last.UpdateID
	// The message keeps its key (a retry's look-up finds it by the
	// original's), and its metadata's status bar follows the correction,
	// for a retraction of a later update to set the bar back to it.
	orig := m
	orig.Update.ID = prev.UpdateID
	f := broadcast.NewFanout(m, targets)
	each(f.Todo(), func(i int) {
		p, ok := postOf(prev, targets[i])
		if !ok {
			// Posted, its answer cut off: the Broadcaster posts the
			// correction anew there.
			f.Report(i, broadcast.Permanent(fmt.Errorf("%w: its post's ts is unknown (the answer was cut off)", broadcast.ErrNotEditable)))
			return
		}
		var md *metadata
		if prev.UpdateID != "" && !c.s.noMeta.Load() {
			md = &metadata{EventType: MetadataEventType,
				EventPayload: metadataPayload{Key: orig.Key(targets[i]), Bar: barOf(m.Update)}}
		}
		// A name Send posts to anew when its conversation is gone (see
		// deliver): so does the correction, through the Broadcaster.
		anew := !isID(targets[i]) && slices.Contains(c.s.targets, targets[i])
		f.Report(i, c.edit(ctx, p, msg, md, m.Update, latest, anew))
	})
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("slack: edit: %w", err)
	}
	return broadcast.Receipt{Channel: c.name, ID: prev.ID, Time: c.s.now().UTC(), Meta: maps.Clone(prev.Meta)}, nil
}

// edit replaces the message p with msg, and its metadata with md unless
// nil, and, for the incident's latest post, sets the root's status bar to
// u (a failure there is not the edit's): p's root's for a reply, p's own
// for a first post that shows one. With anew (p is a name entry's)
// a refusal for the conversation (conversationClosed) says to post the
// correction anew, where the name is now.
func (c *Channel) edit(ctx context.Context, p post, msg message, md *metadata, u broadcast.Update, latest, anew bool) error {
	req := updateRequest{Channel: p.channel, TS: p.ts, Text: msg.text, Blocks: msg.blocks(), Parse: "none", Metadata: md}
	var resp postResponse
	err := c.call(ctx, "chat.update", req, &resp)
	if md != nil && metadataRefused(err) {
		c.s.noMeta.Store(true)
		req.Metadata = nil // as a post does: the correction is what counts
		err = c.call(ctx, "chat.update", req, &resp)
	}
	if anew && conversationClosed(err) {
		sentinel := broadcast.ErrNotEditable // archived, or the bot removed: the message stays
		if notFound(err) {
			sentinel = broadcast.ErrPostGone // deleted with its conversation (or hidden: Slack does not say)
		}
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	if err != nil {
		// Deleted by hand, or not to be edited by this token: the
		// Broadcaster posts the correction anew.
		return postRefusal(err)
	}
	switch {
	case latest && p.thread != p.ts:
		_ = c.refreshRoot(ctx, post{channel: p.channel, ts: p.thread, thread: p.thread}, u)
	case latest && resp.Message != nil && len(resp.Message.Attachments) > 0:
		// The thread's first post, the incident's latest again: its
		// replies were retracted, and its status bar set back to its own
		// status, which the correction changes. A first post without a
		// bar (no reply yet) gets none.
		_ = c.refreshRoot(ctx, p, u)
	}
	return nil
}

// Retract deletes the message prev in every conversation it was posted
// to, as one attempt; a message already gone counts as deleted. In
// incoming-webhook mode it fails with an error wrapping
// broadcast.ErrNotSupported.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("slack: retract: %w", err)
	}
	if c.s.webhook != "" {
		return broadcast.Permanent(fmt.Errorf("slack: retract: %w: an incoming webhook cannot delete messages",
			broadcast.ErrNotSupported))
	}
	targets := append(targetsOf(prev, c.s.targets), cutTargets(prev, c.s.targets)...)
	if len(targets) == 0 {
		return broadcast.Permanent(fmt.Errorf("slack: retract: %w", errNoPost))
	}
	// No Ledger: a retry deletes again, and a message gone is no error.
	f := broadcast.NewFanout(broadcast.Message{}, targets)
	each(f.Todo(), func(i int) {
		p, ok := postOf(prev, targets[i])
		if !ok {
			// Posted, its answer cut off: the message stays; say so.
			f.Report(i, broadcast.Permanent(errors.New("its post's ts is unknown (the answer was cut off): delete it by hand")))
			return
		}
		f.Report(i, c.retractPost(ctx, p))
	})
	if err := f.Err(); err != nil {
		return fmt.Errorf("slack: retract: %w", err)
	}
	return nil
}

// remove deletes the message p; one already gone is no error.
func (c *Channel) remove(ctx context.Context, p post) error {
	var resp postResponse
	err := c.call(ctx, "chat.delete", deleteRequest{Channel: p.channel, TS: p.ts}, &resp)
	if errors.Is(postRefusal(err), broadcast.ErrPostGone) {
		return nil
	}
	return err
}

// postRefusals are the error codes of chat.update and chat.delete that
// say what became of the message, from Slack's documented errors of
// both methods, with the error of the broadcast package that tells the
// Broadcaster what to do: ErrPostGone, the message is not there (deleted
// by hand); ErrNotEditable, the message is there but cannot take the
// correction, which a new post in the thread can show. Every other
// refusal stays as it is: chat.delete's cant_delete_message and
// compliance_exports_prevent_deletion leave the message up, which
// Retract must report, and so does a conversation that is gone
// (channel_not_found), archived (is_inactive) or that the bot was
// removed from (not_in_channel). Edit posts the correction anew for a
// name entry refused so (see conversationClosed), as Send posts an
// update there; an ID entry's stays refused, as a new post would be.
var postRefusals = map[string]error{
	"message_not_found": broadcast.ErrPostGone,
	// Too old for the workspace's message edit settings.
	"edit_window_closed": broadcast.ErrNotEditable,
	// Not this token's to edit: posted by another app or a user.
	"cant_update_message": broadcast.ErrNotEditable,
	// Its blocks are rich text (a message written in Slack), which
	// Slack does not let an edit replace with the correction's section.
	"block_mismatch": broadcast.ErrNotEditable,
}

// postRefusal returns err, a chat.update's or a chat.delete's, wrapping
// the broadcast error its code stands for in postRefusals, if any.
func postRefusal(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		if sentinel := postRefusals[ae.Code]; sentinel != nil {
			return fmt.Errorf("%w: %w", sentinel, err)
		}
	}
	return err
}

// Check verifies the token with auth.test, which posts nothing. In
// incoming-webhook mode it fails with broadcast.ErrNotSupported: a webhook
// cannot be checked without posting, and passing would say it works.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("slack: check: %w", err)
	}
	if c.s.webhook != "" {
		return fmt.Errorf("slack: check: %w: an incoming webhook cannot be checked without posting", broadcast.ErrNotSupported)
	}
	var resp apiResponse
	if err := c.call(ctx, "auth.test", struct{}{}, &resp); err != nil {
		return fmt.Errorf("slack: check: %w", err)
	}
	return nil
}

// conversationClosed reports whether err, a chat.update's, refuses the
// message for its conversation: conversationGone's codes, and
// is_inactive, chat.update's word for an archived conversation.
func conversationClosed(err error) bool {
	var ae *APIError
	return conversationGone(err) || errors.As(err, &ae) && ae.Code == "is_inactive"
}
