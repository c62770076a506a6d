package statuspage

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"html"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// Atom 1.0 (RFC 4287) documents, as much of them as the feeds use.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
	// Deleted are the tombstones of the retracted entries (RFC 6721).
	Deleted []atomDeleted `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
}

// atomDeleted is an at:deleted-entry (RFC 6721, section 3): ref is the
// atom:id of the entry removed, when the time it was.
type atomDeleted struct {
	Ref     string `xml:"ref,attr"`
	When    string `xml:"when,attr"`
	Comment string `xml:"http://purl.org/atompub/tombstones/1.0 comment,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Categories []atomCategory `xml:"category"`
	Content    atomText       `xml:"content"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// feedItem is an entry of a feed: an update with its incident, or an
// update retracted.
type feedItem struct {
	in *incident
	e  *entry
	r  *retraction // set instead of in and e
}

// updated is when the entry of it in the feed of component ("" for the
// feed of all updates) last changed, its updated there: when what the
// update says last changed (see entry.said), or, where whether it turns
// its incident makes it full or short (see turnsIn), when that last
// changed (see entry.Turned); a retraction is a change. Readers take an
// entry again when its updated moves on, and it moves on only where the
// entry changed (RFC 4287, section 4.2.15). The feeds are in the order of
// these times (see feedItems and byComponent), and entryXML renders an
// entry once for each.
func (m *model) updated(it feedItem, component string) time.Time {
	if it.r != nil {
		return it.r.Retracted
	}
	if m.turnsIn(it, component) {
		return it.e.changed()
	}
	return it.e.said()
}

// turnsIn reports whether whether the update of it turns its incident
// decides if the feed of component has it in full (see full): a
// component's feed, of a component the update neither names nor gave
// its status back (see entry.Returned), and an update naming
// feedComponents components or fewer. Components and Returned change
// only by an edit, which moves the entry on in every feed after any turn
// (see editTime), so an entry's Turned counts in such a feed only.
func (m *model) turnsIn(it feedItem, component string) bool {
	if it.r != nil || component == "" || len(it.e.Components) > feedComponents ||
		slices.Contains(it.e.Returned, component) {
		return false
	}
	_, ok := m.componentIn(it.e, component)
	return !ok
}

func (it feedItem) seq() int64 {
	if it.r != nil {
		return it.r.Seq
	}
	return it.e.Seq
}

// feedItems returns every entry and retraction, the most recently
// changed first as the feed of all updates has them (see updated).
func (m *model) feedItems() []feedItem {
	var items []feedItem
	for _, in := range m.all {
		for i := range in.Entries {
			items = append(items, feedItem{in: in, e: &in.Entries[i]})
		}
	}
	for _, r := range m.st.Retractions {
		items = append(items, feedItem{r: r})
	}
	slices.SortFunc(items, func(a, b feedItem) int {
		if c := m.updated(b, "").Compare(m.updated(a, "")); c != 0 {
			return c
		}
		return cmp.Compare(b.seq(), a.seq())
	})
	return items
}

// byComponent returns the first n items of each component's feed: the
// updates of the incidents that name it, and the retracted updates its
// feed held, the most recently changed first as that feed has them (see
// updated); of those it has a short entry of (see full), the first
// wideEntries. One pass over items, whatever the number of components,
// and a sort of each feed's.
func (m *model) byComponent(items []feedItem, n int) map[string][]feedItem {
	type dated struct {
		it feedItem
		at time.Time
	}
	all := map[string][]dated{}
	named := map[*incident][]string{} // the components each incident names
	for _, it := range items {
		comps := []string(nil)
		if it.r != nil {
			comps = it.r.Components
		} else if comps = named[it.in]; comps == nil {
			comps = componentsOf(it.in)
			named[it.in] = comps
		}
		for _, name := range comps {
			all[name] = append(all[name], dated{it, m.updated(it, name)})
		}
	}
	out := make(map[string][]feedItem, len(all))
	for name, ds := range all {
		// items are in the order of the feed of all updates, which most
		// feeds share.
		slices.SortStableFunc(ds, func(a, b dated) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return cmp.Compare(b.it.seq(), a.it.seq())
		})
		short := 0 // the short entries the feed holds
		for _, d := range ds {
			if len(out[name]) >= n {
				break
			}
			isShort := !m.full(d.it, name)
			if isShort && short >= wideEntries {
				continue
			}
			out[name] = append(out[name], d.it)
			if isShort {
				short++
			}
		}
	}
	return out
}

// feed renders an Atom feed of items; path is its path from the root,
// component the component whose feed it is ("" for the feed of all
// updates). Its updated is the latest change of an entry, or the latest
// retraction from it when later: an entry retracted is a change too (RFC
// 4287, section 4.2.15), and the time must not go back to the entries
// left.
func (m *model) feed(path, component, title string, items []feedItem) ([]byte, error) {
	base := m.s.base.String()
	f := atomFeed{
		Lang: m.s.language, ID: m.idBase() + path, Title: title,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + path},
			{Rel: "alternate", Type: "text/html", Href: base},
		},
		Author: atomPerson{Name: m.s.branding.Title, URI: base},
	}
	// With no entries, the feed last changed when the page was made.
	updated := m.retracted(path)
	size := 0
	entries := make([][]byte, len(items))
	for i, it := range items {
		updated = maxTime(updated, m.updated(it, component))
		e, err := m.entryXML(it, component)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", errRender, path, err)
		}
		entries[i], size = e, size+len(e)
		if it.r != nil {
			f.Deleted = append(f.Deleted, atomDeleted{
				Ref: m.retractedID(it.r), When: atomTime(it.r.Retracted), Comment: "Retracted"})
		}
	}
	if updated.IsZero() {
		updated = m.st.Created
	}
	f.Updated = atomTime(updated)
	head, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errRender, path, err)
	}
	// The entries go after the author, where xml.MarshalIndent would put
	// them: the author's text is escaped, so the first "</author>" is its
	// end.
	at := bytes.Index(head, []byte("\n </author>")) + len("\n </author>")
	out := make([]byte, 0, len(xml.Header)+len(head)+size+1)
	out = append(append(out, xml.Header...), head[:at]...)
	for _, e := range entries {
		out = append(out, e...)
	}
	return append(append(out, head[at:]...), '\n'), nil
}

// feedComponents is the most components an entry of a component's feed
// names in full. An update naming more (an outage of a whole region) is
// an entry of each of their feeds: were each to hold the update whole,
// naming them all, the bytes of a write would grow with the square of
// their number, and with the feeds full, each write would rewrite every
// feed whole. So in a component's feed such an update has a short entry
// (see wideEntry): its title, status, times, categories and link, and
// that component's status with how many more it affects; its incident's
// page (the entry's link) and the feed of all updates have it in full.
const feedComponents = 10

// wideEntries is the most short entries (see full) that a component's
// feed holds, the latest: its readers get the latest of a long outage of
// a whole region (its incident's page and the feed of all updates have
// them all), and a write of such an update rewrites every component's
// feed, which so stays small, however long the outage.
const wideEntries = 10

// full reports whether the feed of component ("" for the feed of all
// updates) has it in full, as the feed of all updates has it: a
// retraction; an update naming feedComponents components or fewer that
// concerns component (see concerns). Another update of an incident naming
// component has a short entry there (see wideEntry): an update of a few
// components of an outage of hundreds, each in full in hundreds of feeds,
// would rewrite each of them with its body and advice.
func (m *model) full(it feedItem, component string) bool {
	return it.r != nil || component == "" || len(it.e.Components) <= feedComponents && m.concerns(it, component)
}

// concerns reports whether the update of it concerns component: it names
// it, or it turns its incident (see turns), which changes the status of
// every component the incident names, also when it names none (a
// resolution naming none), or a correction of it changed the component's
// status, taking it out of the update (see entry.Returned).
func (m *model) concerns(it feedItem, component string) bool {
	if _, ok := m.componentIn(it.e, component); ok {
		return true
	}
	return m.turns(it.in)[it.e] || slices.Contains(it.e.Returned, component)
}

// turns returns the updates of in that begin or stop its giving its
// components a status (see turning). Computed once per incident and
// version.
func (m *model) turns(in *incident) map[*entry]bool {
	if out, ok := m.turning[in]; ok {
		return out
	}
	out := map[*entry]bool{}
	for i, t := range turning(in.Entries) {
		if t {
			out[&in.Entries[i]] = true
		}
	}
	if m.turning == nil {
		m.turning = map[*incident]map[*entry]bool{}
	}
	m.turning[in] = out
	return out
}

// entryKey is an entry as a feed renders it: short when it is a short
// entry (see full), component then the feed's component when the update
// names it, "" for the short entry the feeds of the components it does
// not name share; the entry every feed shares else. turned when its
// updated there is when its turning its incident last changed (see
// turnsIn), which it is in some of the feeds that have it in full.
type entryKey struct {
	it        feedItem
	component string
	short     bool
	turned    bool
}

// entryXML returns the entry of it in the feed of component ("" for the
// feed of all updates) as the feed writes it, indented for its place in
// the feed. Each entry is rendered once per version, however many feeds
// hold it; but a short entry (see full) of an update in the feed of a
// component it names is that feed's own (see wideEntry), rendered once
// per version and feed, so that the work of a write grows with the
// number of components, not with its square.
func (m *model) entryXML(it feedItem, component string) ([]byte, error) {
	key := entryKey{it: it, turned: m.turnsIn(it, component)}
	if !m.full(it, component) {
		key.short = true
		if _, ok := m.componentIn(it.e, component); ok {
			key.component = component
		}
	}
	if out, ok := m.entries[key]; ok {
		return out, nil
	}
	var kept feedKey
	if it.r == nil && m.feeds != nil {
		kept = feedKey{m.feeds.id(it.e), it.in.File, key.component, key.short, key.turned}
		if out, ok := m.feeds.get(kept); ok {
			m.keep(key, out)
			return out, nil
		}
	}
	var e atomEntry
	if it.r != nil {
		e = m.retractedEntry(it.r)
	} else {
		// The feeds that share the key share the entry: what differs
		// between them is not in it (see wideEntry, entryHead).
		e = m.feedEntry(it, component)
	}
	var b bytes.Buffer
	b.WriteByte('\n')
	enc := xml.NewEncoder(&b)
	enc.Indent(" ", " ")
	if err := enc.EncodeElement(e, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	m.rendered++
	m.keep(key, b.Bytes())
	if m.feeds != nil && it.r == nil {
		m.feeds.xml[kept] = b.Bytes()
	}
	return b.Bytes(), nil
}

// keep records out as the entry of key in this version.
func (m *model) keep(key entryKey, out []byte) {
	if m.entries == nil {
		m.entries = map[entryKey][]byte{}
	}
	m.entries[key] = out
}

// feedCache holds the feed entries of updates a version rendered, for
// the next version to take unrendered: a write of an update naming
// hundreds of components otherwise renders again, in each component's
// feed, the entries of the updates before it, which it did not change.
// An entry is known by what it is rendered from (see feedKey): the
// update's content, compared whole with a copy kept of it, never its
// place in memory (a write copies an incident's updates when it changes
// one of them). It holds what one version used, so it does not grow
// with the page's history.
type feedCache struct {
	prev *feedCache
	// seen are copies of the updates rendered, by ID and Seq, with the
	// number each content got.
	seen map[entryRef]seenEntry
	xml  map[feedKey][]byte
	// ids are the numbers given the updates of this version (see id).
	ids map[*entry]int64
	// last is the latest number given.
	last int64
}

type entryRef struct {
	id  string
	seq int64
}

type seenEntry struct {
	e  entry
	id int64
}

// feedKey is what an entry of an update is rendered from, beside the
// page's settings, which a Channel keeps: the update's content (its
// number, see feedCache.id), its incident's page, and what entryKey
// holds beside the update.
type feedKey struct {
	id        int64
	file      string
	component string
	short     bool
	turned    bool
}

// nextFeedCache returns the cache of the version after the one prev
// (nil for none) holds.
func nextFeedCache(prev *feedCache) *feedCache {
	c := &feedCache{prev: prev, seen: map[entryRef]seenEntry{}, xml: map[feedKey][]byte{}, ids: map[*entry]int64{}}
	if prev != nil {
		c.last = prev.last
	}
	return c
}

// done returns the cache to hand to the next version, without this one's
// link to the version before.
func (c *feedCache) done() *feedCache {
	c.prev, c.ids = nil, nil
	return c
}

// id returns the number of e's content: that of the previous version's
// update of the same ID and Seq when equal in every field, else a new one.
func (c *feedCache) id(e *entry) int64 {
	if id, ok := c.ids[e]; ok {
		return id
	}
	ref := entryRef{e.ID, e.Seq}
	s, ok := c.seen[ref]
	if !ok && c.prev != nil {
		s, ok = c.prev.seen[ref]
	}
	if !ok || !reflect.DeepEqual(s.e, *e) {
		c.last++
		s = seenEntry{cloneEntry(*e), c.last}
	}
	c.seen[ref] = s
	c.ids[e] = s.id
	return s.id
}

// get returns the entry of k rendered in this version or the one before,
// and keeps it for the next.
func (c *feedCache) get(k feedKey) ([]byte, bool) {
	if out, ok := c.xml[k]; ok {
		return out, true
	}
	if c.prev == nil {
		return nil, false
	}
	out, ok := c.prev.xml[k]
	if ok {
		c.xml[k] = out
	}
	return out, ok
}

// cloneEntry returns a copy of e that shares nothing it could change.
func cloneEntry(e entry) entry {
	e.Aliases = slices.Clone(e.Aliases)
	e.Components = slices.Clone(e.Components)
	e.Returned = slices.Clone(e.Returned)
	return e
}

// atomEntry is the entry of an update as the feed of all updates has it,
// naming every component the update names.
func (m *model) atomEntry(it feedItem) atomEntry { return m.feedEntry(it, "") }

// feedEntry is the entry of an update in the feed of component ("" for
// the feed of all updates): the same in every feed that has it in full
// (see full), its categories its status and the components it names; a
// short entry in the others (see wideEntry).
func (m *model) feedEntry(it feedItem, component string) atomEntry {
	e := it.e
	if !m.full(it, component) {
		return m.wideEntry(it, component)
	}
	cats := []atomCategory{{Term: string(e.Status), Label: e.Status.Label()}}
	for _, c := range e.Components {
		cats = append(cats, atomCategory{Term: "component:" + c.Name, Label: c.Name})
	}
	a := m.entryHead(it, component)
	a.Categories = cats
	a.Content = atomText{Type: "html", Body: entryHTML(e, m.pageURL(it.in.File), e.Components)}
	return a
}

// entryHead is the entry of an update in the feed of component without
// its categories and content: its id, title, link and times.
func (m *model) entryHead(it feedItem, component string) atomEntry {
	e := it.e
	return atomEntry{
		ID:    entryID(m.idHost(), e.ID, feedDate(e.Dated, e.Time)),
		Title: correctionMark(e) + e.Title + " — " + e.Status.Label(),
		// The incident's own page at the update's anchor: a permanent
		// place, which the update's older page of a long outage is not.
		Link: atomLink{Rel: "alternate", Type: "text/html", Href: m.pageURL(it.in.File) + "#" + anchor(e.ID)},
		// Published is when the update was written, Updated when it last
		// changed there: readers show an edited update again, once.
		Published: atomTime(e.Time),
		Updated:   atomTime(m.updated(it, component)),
	}
}

// wideEntry is the short entry (see full), in the feed of component, of
// an update naming more than feedComponents components, or not
// concerning component: its id, title, link and times as in every feed;
// its categories its status and component, when it names it; its content
// its status, component's status and how many more components it
// affects, when its next update is due and when it was edited, and that
// its incident's page, the entry's link, has it in full. What it said
// (body, advice, link) is left to that page and the feed of all updates:
// in each of hundreds of feeds, it would make a write of the update
// rewrite hundreds of times as much.
func (m *model) wideEntry(it feedItem, component string) atomEntry {
	e := it.e
	a := m.entryHead(it, component)
	a.Categories = []atomCategory{{Term: string(e.Status), Label: e.Status.Label()}}
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>%s</strong></p>", html.EscapeString(correctionMark(e)+e.Status.Label()))
	if own, ok := m.componentIn(e, component); ok {
		a.Categories = append(a.Categories, atomCategory{Term: "component:" + own.Name, Label: own.Name})
		fmt.Fprintf(&b, "<p>Affects: %s %s</p>", html.EscapeString(own.Name+" ("+own.Status.Label()+")"),
			moreComponents(len(e.Components)-1))
	} else if n := len(e.Components); n == 1 {
		b.WriteString("<p>Affects 1 component.</p>")
	} else if n > 1 {
		fmt.Fprintf(&b, "<p>Affects %d components.</p>", n)
	}
	entryNotes(&b, e)
	b.WriteString("<p>Read the update in full on the incident page.</p>")
	a.Content = atomText{Type: "html", Body: b.String()}
	return a
}

// componentIn returns the component named component in e, and whether e
// names it. Where each component is in e is looked up once per version: a
// scan in the feed of each would make the work grow with the square of
// their number.
func (m *model) componentIn(e *entry, component string) (broadcast.Component, bool) {
	at, ok := m.named[e]
	if !ok {
		at = make(map[string]int, len(e.Components))
		for i, c := range e.Components {
			if _, dup := at[c.Name]; !dup {
				at[c.Name] = i
			}
		}
		if m.named == nil {
			m.named = map[*entry]map[string]int{}
		}
		m.named[e] = at
	}
	i, ok := at[component]
	if !ok {
		return broadcast.Component{}, false
	}
	return e.Components[i], true
}

// entryID is an entry's id: a tag URI (RFC 4151) of the page's host, a
// date (see entry.Dated) and the update's ID, so that it never changes
// (RFC 4287, section 4.2.6), even when the update is edited, retracted
// and sent again with another Time, or the site moves to https; and no
// two updates share it, as no two on the page share an ID, and one that
// has the ID of an update the page forgot has another date (see
// entry.Dated). A tag URI's authority is a DNS
// name, in lower case (checkBaseURL lowers the host): a host outside
// ASCII is written as its A-labels, and a page at an IP address (or a
// name that is none) gets the URN of the name-based UUID of that tag URI
// instead, which is as stable.
func entryID(host, updateID, date string) string {
	specific := date + ":update/" + url.PathEscape(updateID)
	if name, ok := dnsName(host); ok {
		return "tag:" + name + "," + specific
	}
	return "urn:uuid:" + nameUUID("tag:"+host+","+specific)
}

// retractedEntry is the entry of a retracted update: its id, published
// time and link (its incident's page, or the front page when the
// incident is gone), updated at the retraction, and nothing of what it
// said, which was wrong. Feed readers keep the entries they fetched, and
// replace one that comes again with a later updated: so the entry says
// the update was withdrawn where readers would keep showing it.
func (m *model) retractedEntry(r *retraction) atomEntry {
	link := m.s.base.String()
	if d, ok := m.byID[r.IncidentID]; ok {
		link = d.URL
	}
	written := r.Time.UTC().Format("2 Jan 2006 15:04 UTC")
	return atomEntry{
		ID:         m.retractedID(r),
		Title:      "Retracted: the update of " + written,
		Link:       atomLink{Rel: "alternate", Type: "text/html", Href: link},
		Published:  atomTime(r.Time),
		Updated:    atomTime(r.Retracted),
		Categories: []atomCategory{{Term: "retracted", Label: "Retracted"}},
		Content: atomText{Type: "html", Body: fmt.Sprintf(
			"<p><strong>Retracted</strong></p><p>The update of %s was withdrawn on %s: disregard it. "+
				"The status page shows the current status.</p>",
			written, r.Retracted.UTC().Format("2 Jan 2006 15:04 UTC"))},
	}
}

// retractedID is the id of the entry of a retracted update: the update's.
func (m *model) retractedID(r *retraction) string {
	return entryID(m.idHost(), r.ID, feedDate(r.Dated, r.Time))
}

// idHost is the host name of the entries' ids: the page's (see
// state.Host), or BaseURL's for a page that has none yet.
func (m *model) idHost() string {
	if m.st != nil && m.st.Host != "" {
		return m.st.Host
	}
	return m.s.base.Hostname()
}

// idBase is the address the feeds' ids and the JSON API's page id are
// made from: the page's (see state.Base), or BaseURL for a page that has
// none yet.
func (m *model) idBase() string {
	if m.st != nil && m.st.Base != "" {
		return m.st.Base
	}
	return m.s.base.String()
}

// dnsName returns host as a DNS name in ASCII, without a final dot, and
// whether it is one: letters, digits and inner hyphens in dot-separated
// labels, and not an IP address.
func dnsName(host string) (string, bool) {
	name := strings.TrimSuffix(host, ".")
	if net.ParseIP(name) != nil {
		return "", false
	}
	name, err := endpoint.ASCIIHost(name)
	if err != nil {
		return "", false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' ||
			strings.ContainsFunc(label, func(r rune) bool { return !isAlnum(r) && r != '-' }) {
			return "", false
		}
	}
	return name, true
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// urlNamespace is the UUID namespace of URLs (RFC 9562, section 6.6).
var urlNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// nameUUID returns the name-based UUID (RFC 9562 version 5, SHA-1) of
// uri in the URL namespace.
func nameUUID(uri string) string {
	h := sha1.New()
	h.Write(urlNamespace[:])
	h.Write([]byte(uri))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // the RFC's variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// correctionMark is what the title and status line of an update that
// corrects another start with, as every channel's default template writes
// it: a reader who saw the update it corrects can tell which one holds.
func correctionMark(e *entry) string {
	if e.Corrects != "" {
		return "Correction: "
	}
	return ""
}

// entryHTML is the content of an entry: what the page shows of the update,
// with the marks of a correction and of an edit, and its link unless it
// is page, its incident's page, which the entry links to already. It
// names comps, the components the update affects.
func entryHTML(e *entry, page string, comps []broadcast.Component) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>%s</strong></p>", html.EscapeString(correctionMark(e)+e.Status.Label()))
	if e.Advice != "" {
		fmt.Fprintf(&b, "<p><strong>What you can do:</strong> %s</p>", lineBreaks(html.EscapeString(e.Advice)))
	}
	b.WriteString(lineBreaks(string(richText(e.Body, e.URL))))
	if len(comps) > 0 {
		parts := make([]string, len(comps))
		for i, c := range comps {
			parts[i] = html.EscapeString(c.Name + " (" + c.Status.Label() + ")")
		}
		fmt.Fprintf(&b, "<p>Affects: %s</p>", strings.Join(parts, ", "))
	}
	entryNotes(&b, e)
	// Send takes http and https URLs only; a state file edited by hand
	// may hold another, which the page's template would defuse.
	if l, err := url.Parse(e.URL); err == nil && (l.Scheme == "http" || l.Scheme == "https") && e.URL != page {
		u := html.EscapeString(e.URL)
		fmt.Fprintf(&b, `<p>More: <a href="%s">%s</a></p>`, u, u)
	}
	return b.String()
}

// entryNotes writes to b when the update's next update is due and when
// it was edited, if ever.
func entryNotes(b *strings.Builder, e *entry) {
	if !e.NextUpdate.IsZero() {
		fmt.Fprintf(b, "<p>Next update by %s.</p>", e.NextUpdate.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	if !e.Edited.IsZero() {
		fmt.Fprintf(b, "<p>Edited %s.</p>", e.Edited.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
}

// moreComponents says how many more components an update affects than
// its entry names, as the pages count what they leave out.
func moreComponents(n int) string {
	if n == 1 {
		return "and 1 more component"
	}
	return fmt.Sprintf("and %d more components", n)
}

// lineBreaks makes the line breaks left in escaped text <br>: the page
// keeps them with its style sheet, but a feed reader has none and would
// run the lines together.
func lineBreaks(escaped string) string { return strings.ReplaceAll(escaped, "\n", "<br>") }

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// retracted returns the time of the latest retraction from the feed at
// path; zero if none. The components' are looked up by their feed's path
// in a map made once per version: a scan of the components for the feed
// of each would make a write's work grow with the square of their
// number.
func (m *model) retracted(path string) time.Time {
	if path == "history.atom" {
		return m.st.Retracted
	}
	if m.feedRetracted == nil {
		m.feedRetracted = make(map[string]time.Time, len(m.st.Components))
		for _, c := range m.st.Components {
			m.feedRetracted["components/"+c.Feed+".atom"] = c.Retracted
		}
	}
	return m.feedRetracted[path]
}

// componentsOf returns the components the updates of in name, each
// once; an empty, non-nil slice when none.
func componentsOf(in *incident) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, e := range in.Entries {
		for _, c := range e.Components {
			if !seen[c.Name] {
				seen[c.Name] = true
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// named returns the set of the components the updates of in name: what
// the callers that ask of every component of the page look it up in.
func named(in *incident) map[string]bool {
	out := map[string]bool{}
	for _, e := range in.Entries {
		for _, c := range e.Components {
			out[c.Name] = true
		}
	}
	return out
}
