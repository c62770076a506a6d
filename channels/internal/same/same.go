// Package same posts an update once to each destination (a conversation,
// a chat and topic) that a channel's targets name, when two targets may
// name one destination in ways only the service can tell to be one: a
// Slack conversation by its name and by its ID, a Telegram chat by its
// "@username" and by its numeric id. The adapters' documentation refers
// to these rules.
//
// Deliver posts first to the targets whose destination is not known yet
// (a name the channel never posted to): the service's answer names it.
// Then it takes the others grouped by the destination known before the
// post: the first of a group posts, unless the destination already has
// the update from another target, in this attempt or an earlier one, and
// the rest record that post as theirs. When the answer names another
// destination than the one known (the name moved to another place
// since), the next of the group posts, and the destination the answer
// names has the update. A name may move (Plan.Moves: a username, a
// conversation's name), an id does not: the targets that name their
// destination so post before every other target whose destination is
// known, of their group and of the others, since only its own answer
// shows that a name moved. So an id's target records the post of a name
// that moved into its destination, and the destination a name moved
// from gets the post of its next target, whichever order the targets
// are in. A post that failed in a way that may hide a message (not
// Permanent: the answer was lost) leaves the rest of its group pending
// without a post of theirs, unless its destination has another's post: a
// retry looks up each target's own mark, and would not find the message
// posted under another's.
//
// A post whose answer names a destination that has the update already
// from another target (two names of one destination that the channel
// never posted to, or that moved into one: only the answers show it) is
// a second: Plan.Undo removes it, and its target records the other post.
//
// # Limits
//
// Each target whose destination is not known yet posts: two names of
// one destination that the channel never posted to both post there, and
// the second post shows until Plan.Undo removes it (without an Undo, or
// when it fails, it stays). Likewise two names that moved into one
// destination. A target whose post failed before its destination was
// known leaves that destination unknown: a target naming it otherwise
// may post there too. A name records a post that another target made in
// the destination it named before (in an earlier attempt, or one whose
// answer named that destination before the name's turn) without
// noticing that it moved.
package same

import (
	"fmt"
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
	// Undo removes p, the post target i just made in a destination that
	// has the update already from another target's post, in this attempt
	// or an earlier one: two names that moved into one destination, or
	// that were never posted to, post there both, as only the answers
	// show it. Removed, target i records the other post; an error (or
	// a nil Undo) leaves p as target i's, the update shown twice.
	Undo func(i int, p P) error
	// Moves reports whether target i names its destination by a name the
	// service may give another place (a username, a conversation's
	// name), not by its id: those post before the other targets whose
	// destination is known (see the package documentation). Nil: none
	// does.
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
	d := &delivery[P]{f: f, p: p, earlier: f.Receipt(), made: map[string]P{}}
	if d.p.Each == nil {
		d.p.Each = inTurn
	}
	var unknown []int
	var groups []*group[P]
	byDest := map[string]*group[P]{}
	for _, i := range f.Todo() {
		dest := p.Dest(i)
		if dest == "" {
			unknown = append(unknown, i)
			continue
		}
		g := byDest[dest]
		if g == nil {
			g = &group[P]{dest: dest}
			byDest[dest] = g
			groups = append(groups, g)
		}
		if p.Moves != nil && p.Moves(i) {
			g.names = append(g.names, i)
		} else {
			g.ids = append(g.ids, i)
		}
	}
	d.p.Each(unknown, func(i int) {
		o, err := p.Post(i)
		if err != nil {
			f.Report(i, err)
			return
		}
		d.settle(i, o)
	})
	// A name that moved posts where it names now, which only its answer
	// shows: after another target's post in its old place it would take
	// that post for its own, and before its own post the targets of its
	// new place could not know that it has the update. So the names of
	// every group post first, and the rest after.
	all := make([]int, len(groups))
	for k := range all {
		all[k] = k
	}
	d.p.Each(all, func(k int) { d.run(groups[k], groups[k].names) })
	d.p.Each(all, func(k int) { d.run(groups[k], groups[k].ids) })
}

// delivery is one call of Deliver.
type delivery[P any] struct {
	f       *broadcast.Fanout
	p       Plan[P]
	earlier broadcast.Receipt // the posts of earlier attempts, from the Ledger

	mu   sync.Mutex
	made map[string]P // by destination: the posts of this attempt
}

// group is the targets whose destination is known to be dest before a
// post: names, which may have moved, and ids. Its fields past the
// targets are the state of its posts, kept from the names' turn to the
// ids'.
type group[P any] struct {
	dest       string
	names, ids []int

	post   P
	posted bool   // post is in dest
	from   string // the target whose post failed
	failed error  // of from's post in this attempt
}

// settle records o, target i's post, as the one in the destination its
// answer names, and as target i's, unless that destination has another
// target's post already (in this attempt, or in an earlier one): then o
// is a second, which Undo removes, and target i records the other. It
// returns the post target i records.
func (d *delivery[P]) settle(i int, o Posted[P]) P {
	if o.Dest == "" {
		d.f.Posted(i, o.Receipt)
		return o.Post
	}
	d.mu.Lock()
	prev, dup := d.made[o.Dest]
	if !dup {
		var by string
		prev, by, dup = d.p.Earlier(d.earlier, o.Dest)
		dup = dup && by != d.p.Targets[i]
	}
	if !dup {
		d.made[o.Dest] = o.Post
	}
	d.mu.Unlock()
	if dup && d.p.Undo != nil && d.p.Undo(i, o.Post) == nil {
		d.f.Posted(i, d.p.Receipt(i, prev))
		return prev
	}
	d.f.Posted(i, o.Receipt)
	return o.Post
}

// run posts to the targets todo of g, in order, until a post is in g's
// destination, which the rest record; or a post failed in a way that may
// hide a message there, and the rest stay pending.
func (d *delivery[P]) run(g *group[P], todo []int) {
	if len(todo) == 0 {
		return
	}
	if !g.posted {
		d.mu.Lock()
		g.post, g.posted = d.made[g.dest]
		d.mu.Unlock()
	}
	if !g.posted {
		g.post, _, g.posted = d.p.Earlier(d.earlier, g.dest)
	}
	for _, i := range todo {
		switch {
		case g.posted:
			d.f.Posted(i, d.p.Receipt(i, g.post))
			continue
		case g.failed != nil && !broadcast.IsPermanent(g.failed):
			d.f.Report(i, fmt.Errorf("the %s %s may have the update from %s, whose post failed: %w", d.p.Noun, g.dest, g.from, g.failed))
			continue
		}
		o, err := d.p.Post(i)
		if err != nil {
			g.from, g.failed = d.p.Targets[i], err
			d.f.Report(i, err)
			continue
		}
		post := d.settle(i, o)
		if o.Dest != "" && o.Dest != g.dest {
			// The answer names another destination: the target's
			// name moved (a username or a channel name now
			// another's), and dest still lacks the update.
			continue
		}
		g.post, g.posted = post, true
	}
}

// inTurn calls do for each of todo, in order.
func inTurn(todo []int, do func(i int)) {
	for _, i := range todo {
		do(i)
	}
}
