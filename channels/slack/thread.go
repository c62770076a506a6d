package slack

import (
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// Receipt.Meta keys, each followed by a Ledger target (a Config.Channels
// entry): where the update's message is in that conversation.
const (
	// MetaChannel + target: the conversation's ID, as Slack answered it.
	MetaChannel = "channel:"
	// MetaTS + target: the message's ts, its ID within the conversation.
	MetaTS = "ts:"
	// MetaThreadTS + target: the ts of the thread's root: the message's
	// own ts when it started the thread. A target the update did not
	// reach has MetaChannel and MetaThreadTS without MetaTS: the
	// incident's thread there, which the next update replies in.
	MetaThreadTS = "thread_ts:"
	// MetaRootError + target: why the root post's status bar could not be
	// updated after this reply; the reply itself was delivered.
	MetaRootError = "root_error:"
	// MetaLookupError + target: why a retry could not look for the
	// message an earlier attempt may have posted there (the app lacks
	// channels:history, the conversation's ID is not known, …), so that
	// it posted again: the conversation may show the update twice.
	MetaLookupError = "lookup_error:"
)

// post is where one message is: a conversation, its ts, and the ts of the
// thread it is in.
type post struct {
	channel, ts, thread string
}

// put records p as target's post in meta.
func (p post) put(meta map[string]string, target string) {
	meta[MetaChannel+target] = p.channel
	meta[MetaTS+target] = p.ts
	meta[MetaThreadTS+target] = p.thread
}

// postOf returns target's post in r, if r has one.
func postOf(r broadcast.Receipt, target string) (post, bool) {
	p := post{channel: r.Meta[MetaChannel+target], ts: r.Meta[MetaTS+target], thread: r.Meta[MetaThreadTS+target]}
	if p.channel == "" || p.ts == "" {
		return post{}, false
	}
	if p.thread == "" {
		p.thread = p.ts
	}
	return p, true
}

// targetsOf returns the targets r has a post for: first those of order,
// in that order, then the others (conversations no longer configured),
// sorted.
func targetsOf(r broadcast.Receipt, order []string) []string {
	var out, rest []string
	for _, t := range order {
		if _, ok := postOf(r, t); ok {
			out = append(out, t)
		}
	}
	for k := range r.Meta {
		t, ok := strings.CutPrefix(k, MetaTS)
		if _, has := postOf(r, t); ok && has && !slices.Contains(order, t) {
			rest = append(rest, t)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// cutTargets returns the targets of order that r marks as posted without
// a ts: their answer was cut off (see errCut).
func cutTargets(r broadcast.Receipt, order []string) []string {
	var out []string
	for _, t := range order {
		if ts, ok := r.Meta[MetaTS+t]; ok && ts == "" {
			out = append(out, t)
		}
	}
	return out
}

// threadOf returns the root post of target's thread for the incident:
// the thread of its latest post (Last), else of its first (Root). Last's
// thread is Root's, unless the first post did not reach target or its
// thread was gone, and a later post started a thread of its own. A Last
// that did not reach target names the thread it would have replied in
// (see keepThreads).
func threadOf(t broadcast.Thread, target string) (post, bool) {
	for _, r := range []broadcast.Receipt{t.Last, t.Root} {
		if p, ok := postOf(r, target); ok {
			return post{channel: p.channel, ts: p.thread, thread: p.thread}, true
		}
		if p, ok := keptThread(r, target); ok {
			return p, true
		}
	}
	return post{}, false
}

// keepThreads records in r, for each of targets that r names no post in,
// the incident's thread there (threadOf t), as MetaChannel and
// MetaThreadTS without MetaTS. The next update then replies in it though
// this one did not reach target: else it would fall back to Root's
// thread, which is not the incident's latest there when that one was gone
// and a later post started another, and start yet another thread.
func keepThreads(r *broadcast.Receipt, t broadcast.Thread, targets []string) {
	for _, target := range targets {
		if _, posted := r.Meta[MetaTS+target]; posted {
			continue // posted, its ts known or cut off (see cutTargets)
		}
		p, ok := threadOf(t, target)
		if !ok {
			continue
		}
		if r.Meta == nil {
			r.Meta = map[string]string{}
		}
		r.Meta[MetaChannel+target], r.Meta[MetaThreadTS+target] = p.channel, p.thread
	}
}

// keptThread returns the thread keepThreads recorded for target in r, if
// it did.
func keptThread(r broadcast.Receipt, target string) (post, bool) {
	if _, posted := r.Meta[MetaTS+target]; posted {
		return post{}, false
	}
	ch, ts := r.Meta[MetaChannel+target], r.Meta[MetaThreadTS+target]
	if ch == "" || ts == "" {
		return post{}, false
	}
	return post{channel: ch, ts: ts, thread: ts}, true
}
