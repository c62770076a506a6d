package slack

import (
	"context"
	"fmt"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
)

// deliverAll posts msg to the targets f has to do, each conversation
// once. New refuses one conversation named twice alike ("#ops", "ops"),
// but a name and an ID ("#ops", "C0123ABCDEF") can only be told apart by
// Slack: the targets whose conversation's ID is not known yet (a name
// the Channel never posted to) are posted to first, and Slack's answer
// tells their ID; then the others, grouped by conversation: the first of
// a group posts, unless the conversation already has the update from
// another target (in this attempt or an earlier one), and the rest record
// that post as theirs. A post that failed in a way that may hide a
// message (see deliver) fails the rest of its group transiently without
// a post: a retry looks up each target's own key, and would not find the
// message posted under another's.
func (c *Channel) deliverAll(ctx context.Context, m broadcast.Message, f *broadcast.Fanout, msg message) {
	earlier := f.Receipt() // the posts of earlier attempts, from the Ledger
	var unknown, known []int
	for _, i := range f.Todo() {
		if c.conversationOf(m, c.s.targets[i]) == "" {
			unknown = append(unknown, i)
		} else {
			known = append(known, i)
		}
	}
	var mu sync.Mutex
	made := map[string]outcome{} // by conversation ID: the posts of this attempt
	each(unknown, func(i int) {
		t := c.s.targets[i]
		o := c.deliver(ctx, m, t, msg)
		if o.err != nil {
			f.Report(i, o.err)
			return
		}
		if o.p.channel != "" {
			mu.Lock()
			if _, dup := made[o.p.channel]; !dup {
				made[o.p.channel] = o
			}
			mu.Unlock()
		}
		f.Posted(i, o.receipt(t))
	})
	groups, order := map[string][]int{}, []int(nil) // by conversation ID; order holds each group's first
	for _, i := range known {
		id := c.conversationOf(m, c.s.targets[i])
		if groups[id] == nil {
			order = append(order, i)
		}
		groups[id] = append(groups[id], i)
	}
	each(order, func(first int) {
		id := c.conversationOf(m, c.s.targets[first])
		o, from, posted := made[id], "", false // made is only read from here on
		if posted = o.p.channel != ""; !posted {
			o.p, from, posted = postedIn(earlier, c.s.targets, id)
		}
		for _, i := range groups[id] {
			t := c.s.targets[i]
			switch {
			case posted:
				f.Posted(i, outcome{p: o.p}.receipt(t))
				continue
			case from != "" && o.err != nil && !broadcast.IsPermanent(o.err):
				f.Report(i, fmt.Errorf("the conversation %s may have the update from %s, whose post failed: %w", id, from, o.err))
				continue
			}
			o = c.deliver(ctx, m, t, msg)
			if o.err != nil {
				from = t
				f.Report(i, o.err)
				continue
			}
			posted = true
			f.Posted(i, o.receipt(t))
		}
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
