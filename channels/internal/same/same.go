// Package same posts an update once to each destination (a conversation,
// a chat and topic) that a channel's targets name, when two targets may
// name one destination in ways only the service can tell to be one: a
// Slack conversation by its name and by its ID, a Telegram chat by its
// "@username" and by its numeric id.
//
// Deliver posts first to the targets whose destination is not known yet
// (a name the channel never posted to): the service's answer names it.
// Then it takes the others grouped by destination: the first of a group
// posts, unless the destination already has the update from another
// target, in this attempt or an earlier one, and the rest record that post
// as theirs; unless the answer names another destination than the one
// known before the post (the name moved to another place since), when
// the next of the group posts (a target that names its destination by
// such a name, Plan.Moves, posts before the others of its group, which
// would else record their post as its). A post that failed in a way that may hide a message (not
// Permanent: the answer was lost) leaves the rest of its group pending
// without a post of theirs: a retry looks up each target's own mark, and
// would not find the message posted under another's.
//
// # Limits
//
// A target whose post failed before its destination was known leaves
// that destination unknown: a target naming it otherwise may post there
// too.
package same

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
)

// Plan is how a channel posts to its targets, each named by its index in
// the targets given to the Fanout. P is the channel's record of one post.
type Plan[P any] struct {
	// Targets are the Fanout's targets. Required.
	Targets []string
	// Noun names a destination in errors ("conversation", "chat").
	// Required.
	Noun string
	// Dest returns the destination of target i when it is known before a
	// post, or "". Required.
	Dest func(i int) string
	// Post posts to target i. Required.
	Post func(i int) (Posted[P], error)
	// Earlier returns a post in dest that an earlier attempt made, read
	// from earlier (the Fanout's receipt of earlier attempts), and the
	// target it was made for. Required.
	Earlier func(earlier broadcast.Receipt, dest string) (post P, target string, ok bool)
	// Receipt returns target i's record of p, a post made for another
	// target of its destination. Required.
	Receipt func(i int, p P) broadcast.Receipt
	// Each calls do for every index of todo and returns when all are
	// done: at once or in turn. Nil calls them in turn, in order.
	Each func(todo []int, do func(i int))
	// Moves reports whether target i names its destination by a name the
	// service may give another (a username), not by its id: of a group,
	// those post first, so that the answer to one whose name moved shows
	// it while the others may still post. Nil: none does.
	Moves func(i int) bool
}

// Posted is a post's outcome.
type Posted[P any] struct {
	Post    P                 // what other targets of its destination record
	Dest    string            // the destination the answer names; "" when it names none
	Receipt broadcast.Receipt // the posting target's own record, for Fanout.Posted
}

// Deliver posts to every target f has to do, each destination once, and
// reports every target's outcome to f (see the package documentation).
func Deliver[P any](f *broadcast.Fanout, p Plan[P]) {
	each := p.Each
	if each == nil {
		each = inTurn
	}
	earlier := f.Receipt() // the posts of earlier attempts, from the Ledger
	var unknown, known []int
	for _, i := range f.Todo() {
		if p.Dest(i) == "" {
			unknown = append(unknown, i)
		} else {
			known = append(known, i)
		}
	}
	var mu sync.Mutex
	made := map[string]P{} // by destination: the posts of this attempt
	each(unknown, func(i int) {
		o, err := p.Post(i)
		if err != nil {
			f.Report(i, err)
			return
		}
		if o.Dest != "" {
			mu.Lock()
			if _, dup := made[o.Dest]; !dup {
				made[o.Dest] = o.Post
			}
			mu.Unlock()
		}
		f.Posted(i, o.Receipt)
	})
	groups, order := map[string][]int{}, []int(nil) // by destination; order holds each group's first
	if p.Moves != nil {
		// A name that moved posts where it names now, which only its
		// answer shows: after a post of the group, it would take that
		// post for its own.
		slices.SortStableFunc(known, func(a, b int) int { return cmp.Compare(rank(p.Moves(a)), rank(p.Moves(b))) })
	}
	for _, i := range known {
		d := p.Dest(i)
		if groups[d] == nil {
			order = append(order, i)
		}
		groups[d] = append(groups[d], i)
	}
	each(order, func(first int) {
		d := p.Dest(first)
		post, posted := made[d] // made is only read from here on
		from := ""
		if !posted {
			post, from, posted = p.Earlier(earlier, d)
		}
		var failed error // of from's post in this attempt
		for _, i := range groups[d] {
			switch {
			case posted:
				f.Posted(i, p.Receipt(i, post))
				continue
			case failed != nil && !broadcast.IsPermanent(failed):
				f.Report(i, fmt.Errorf("the %s %s may have the update from %s, whose post failed: %w", p.Noun, d, from, failed))
				continue
			}
			o, err := p.Post(i)
			if err != nil {
				from, failed = p.Targets[i], err
				f.Report(i, err)
				continue
			}
			f.Posted(i, o.Receipt)
			if o.Dest != "" && o.Dest != d {
				// The answer names another destination: the target's
				// name moved (a username or a channel name now
				// another's), and d still lacks the update.
				continue
			}
			post, posted = o.Post, true
		}
	})
}

// rank orders a target that names its destination by a name that may
// move (true) before one that does not.
func rank(moves bool) int {
	if moves {
		return 0
	}
	return 1
}

// inTurn calls do for each of todo, in order.
func inTurn(todo []int, do func(i int)) {
	for _, i := range todo {
		do(i)
	}
}
