package matrix

import (
	"cmp"
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// post is a delivery's event in one room.
type post struct {
	target string // the room as configured: the Ledger target
	room   string // the room ID
	event  string // the event ID
	root   string // the root of the thread the post replies in; "" when it is a root
}

// The Receipt's Meta holds, for each room a post went to, the event ID
// under the room as configured (the Ledger target), and under these
// prefixes and the target: the thread root the post replies in, and the
// room ID an alias resolved to.
const (
	metaRoot = "root "
	metaRoom = "room "
)

// put records p in a Receipt's Meta.
func (p post) put(meta map[string]string) {
	meta[p.target] = p.event
	if p.root != "" {
		meta[metaRoot+p.target] = p.root
	}
	if p.room != p.target {
		meta[metaRoom+p.target] = p.room
	}
}

// threadRoot is the root of the thread p is in: p itself when it is the
// root.
func (p post) threadRoot() string { return cmp.Or(p.root, p.event) }

// isTarget reports whether a Meta key is a room as configured.
func isTarget(key string) bool { return strings.HasPrefix(key, "!") || strings.HasPrefix(key, "#") }

// postIn returns r's post in the room target, if r records one.
func postIn(r broadcast.Receipt, target string) (post, bool) {
	p := post{target: target, event: r.Meta[target], root: r.Meta[metaRoot+target],
		room: cmp.Or(r.Meta[metaRoom+target], target)}
	if p.event == "" || !isTarget(target) || !strings.HasPrefix(p.room, "!") {
		return post{}, false
	}
	return p, true
}

// postedIn returns the post r records in the room room, under one of
// targets.
func postedIn(r broadcast.Receipt, targets []string, room string) (post, bool) {
	for _, t := range targets {
		if p, ok := postIn(r, t); ok && p.room == room {
			return p, true
		}
	}
	return post{}, false
}

// postsOf returns the posts r records: in the configured rooms first, in
// their order, then in rooms no longer configured, sorted.
func (c *Channel) postsOf(r broadcast.Receipt) []post {
	var out []post
	for _, t := range c.s.targets {
		if p, ok := postIn(r, t); ok {
			out = append(out, p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		if p, ok := postIn(r, k); ok && !slices.Contains(c.s.targets, k) {
			out = append(out, p)
		}
	}
	return out
}

// threadIn returns the relation of a post of the incident th records in
// the room target (room ID room): in the thread of the incident's latest
// post there, replying to it for clients without threads; nil when th
// records no post there, and the post starts the thread. Last is looked
// at first: its thread is the first post's, but where that root was found
// gone and Last started a thread of its own (see rootGone); Root, when
// Last has no post there (it did not reach the room, or was retracted).
func threadIn(th broadcast.Thread, target, room string) *relation {
	var root string
	for _, r := range []broadcast.Receipt{th.Last, th.Root} {
		if p, ok := postIn(r, target); ok && p.room == room {
			root = p.threadRoot()
			break
		}
	}
	if root == "" {
		return nil
	}
	latest := root
	if p, ok := postIn(th.Last, target); ok && p.room == room && p.threadRoot() == root {
		latest = p.event
	}
	return thread(root, latest)
}

// receipt returns the Receipt of posts (in the configured rooms' order;
// those without an event were not made): its ID and URL are those of the
// first post, its Meta records every post. A link to a room ID without a
// server part names the account's own server (see permalink), asked of
// the homeserver once; a link is made without it when that fails.
func (c *Channel) receipt(ctx context.Context, posts []post) broadcast.Receipt {
	r := broadcast.Receipt{Channel: c.name, Time: c.s.now(), Meta: map[string]string{}}
	for _, p := range posts {
		if p.event == "" {
			continue
		}
		p.put(r.Meta)
		if r.ID == "" {
			own := ""
			if !strings.Contains(p.room, ":") {
				if me, err := c.whoami(ctx); err == nil {
					_, own, _ = strings.Cut(me, ":")
				}
			}
			r.ID, r.URL = p.event, permalink(p, own)
		}
	}
	if len(r.Meta) == 0 {
		r.Meta = nil
	}
	return r
}

// permalink is the matrix.to link of p, through its room ID (links to an
// event through an alias are deprecated), with via naming a server to
// find the room through, as the specification asks of a link to a room
// ID: the server of the room's creator, which a room ID of a version
// before 12 ends with; own, the account's server, whose user is in the
// room, for a room ID without one (room version 12 and later, whose room
// IDs are hashes); none when own is "".
func permalink(p post, own string) string {
	link := "https://matrix.to/#/" + url.PathEscape(p.room) + "/" + url.PathEscape(p.event)
	server := own
	if _, s, ok := strings.Cut(p.room, ":"); ok {
		server = s
	}
	if server != "" {
		link += "?via=" + url.QueryEscape(server)
	}
	return link
}
