package slack

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// barState is a status bar as a message's metadata carries it: Slack
// takes, in an event_payload, objects of strings, numbers and booleans
// only (no mrkdwn_in array).
type barState struct {
	Color    string `json:"color"`
	Fallback string `json:"fallback"`
	Text     string `json:"text"`
}

// barOf returns the status bar that shows u: each post through the Web
// API that sets a thread's bar (and an incident's first) carries it in
// its metadata, so that the bar can be set back to it when a later
// update is retracted.
func barOf(u broadcast.Update) *barState {
	a := statusBar(u)
	return &barState{Color: a.Color, Fallback: a.Fallback, Text: a.Text}
}

// attachment returns the status bar b.
func (b barState) attachment() attachment {
	return attachment{Color: b.Color, Fallback: b.Fallback, Text: b.Text, MrkdwnIn: []string{"text"}}
}

// maxBarPages bounds the pages of a thread a retraction reads.
const maxBarPages = 4

// retractPost deletes p and, when p is the reply whose status its
// thread's status bar shows, sets the bar back to the latest earlier
// update still in the thread, or to the first post's own. The thread is
// read before the deletion; a read that fails leaves the bar, as a bar
// that cannot be updated after a post does: the deletion is what counts.
func (c *Channel) retractPost(ctx context.Context, p post) error {
	var back *attachment
	if p.thread != p.ts {
		back = c.barBefore(ctx, p)
	}
	if err := c.remove(ctx, p); err != nil {
		return err
	}
	if back != nil {
		req := updateRequest{Channel: p.channel, TS: p.thread, Attachments: []attachment{*back}, Parse: "none"}
		var resp postResponse
		_ = c.call(ctx, "chat.update", req, &resp)
	}
	return nil
}

// barBefore reads p's thread and returns the status bar its first post
// is to show once p is gone: nil when the bar does not show p's update
// (a later one, a correction of it, or a post made without its state),
// or when the thread cannot be read.
func (c *Channel) barBefore(ctx context.Context, p post) *attachment {
	var shown string
	var own, root, before *barState
	var beforeTS string
	cursor := ""
	for page := 0; page < maxBarPages; page++ {
		q := url.Values{"channel": {p.channel}, "ts": {p.thread}, "limit": {strconv.Itoa(lookLimit)},
			"include_all_metadata": {"true"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var list listResponse
		if err := c.read(ctx, "conversations.replies", q, &list); err != nil {
			return nil
		}
		for _, m := range list.Messages {
			pl, ok := m.payload()
			switch {
			case m.TS == p.thread:
				if len(m.Attachments) > 0 {
					shown = m.Attachments[0].Text
				}
				if ok {
					root = pl.Bar
				}
			case !ok || pl.Bar == nil:
			case m.TS == p.ts:
				own = pl.Bar
			case tsLess(m.TS, p.ts) && (beforeTS == "" || tsLess(beforeTS, m.TS)):
				before, beforeTS = pl.Bar, m.TS
			}
		}
		if cursor = list.Metadata.NextCursor; cursor == "" {
			break
		}
	}
	if own == nil || shown == "" || shown != own.Text {
		return nil
	}
	if before == nil {
		before = root
	}
	a := before.attachment()
	return &a
}

// tsLess reports whether Slack timestamp a is before b: seconds, ".",
// microseconds.
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	return af < bf
}
