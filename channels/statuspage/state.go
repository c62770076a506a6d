package statuspage

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// stateFormat is the version of the state files' format.
const stateFormat = 1

// errCorrupt marks state files that cannot be read: retrying does not help.
// Its text has no "statuspage: " of its own: classify, which every error
// it reaches a caller through passes, puts that before the step that read
// the file.
var errCorrupt = errors.New("state is corrupt")

// entry is one update as the page shows it.
type entry struct {
	ID string `json:"id"`
	// Aliases are the IDs of the corrections edited into this entry, so
	// that sending one of them again changes nothing.
	Aliases    []string              `json:"aliases,omitempty"`
	Title      string                `json:"title"`
	Status     broadcast.Status      `json:"status"`
	Impact     broadcast.Impact      `json:"impact,omitempty"`
	Body       string                `json:"body,omitempty"`
	Advice     string                `json:"advice,omitempty"`
	Components []broadcast.Component `json:"components,omitempty"`
	URL        string                `json:"url,omitempty"`
	Time       time.Time             `json:"time"`
	NextUpdate time.Time             `json:"next_update,omitzero"`
	Corrects   string                `json:"corrects,omitempty"`
	// Stale marks a correction of an update older than the incident's
	// latest (broadcast.Message.Current false): listed among the updates,
	// it does not say the incident's current status (see incident.current).
	// Absent from the state files of older versions: none is stale.
	Stale bool `json:"stale,omitempty"`
	// Edited is the time of the latest correction edited in; zero if none.
	Edited time.Time `json:"edited,omitzero"`
	// Restored is when the update, retracted earlier, was sent again:
	// later than the retraction, so that feed readers holding the
	// retraction's notice fetch the update again. Zero if never.
	Restored time.Time `json:"restored,omitzero"`
	// Turned is when another update's Send, correction or retraction
	// last changed whether this one turns its incident (see turning),
	// and so whether the feeds of the components it does not name have
	// it in full: its entry in those feeds changed then, and only there
	// (see model.updated). Zero if never. Written under a key of its
	// own: "turned" is TurnedCounted's.
	Turned time.Time `json:"turn,omitzero"`
	// TurnedCounted is a Turned of a state file of a version that also
	// counted it as a change of the incident, in its updated (the JSON's
	// updated_at, the page's "Last updated"), which this one does not
	// (see IncidentData.fold): it still counts there, so that the time
	// that version published does not go back, on a page not rendered
	// again until its incident changes nor in the JSON written at every
	// write; and in the feeds as a Turned does. This version never sets
	// it. Zero if none.
	TurnedCounted time.Time `json:"turned,omitzero"`
	// Returned are the components a correction edited in took out of the
	// update where that changed the status the incident gave them after
	// it (the wrong update said "API: major outage", the correction says
	// nothing of the API, which so is operational again): the update
	// concerns them (see model.concerns), though it no longer names
	// them. Kept through later corrections. Absent from the state files
	// of older versions: none.
	Returned []string `json:"returned,omitempty"`
	// Seq numbers entries in the order they reached the page, to order
	// entries of equal Time.
	Seq int64 `json:"seq"`
	// Dated is the date ("2006-01-02") in its feed entry's id (see
	// entryID), fixed when the update first reached the page: that day,
	// or the one the id of its retraction's notice holds (updates of
	// earlier versions have the day the page was created). When the page
	// forgot the retraction of an update of that date, whose ID this one
	// may have (see state.Pruned), the date is followed by ":" and the
	// entry's Seq, which no other entry has. Absent from the state files
	// of older versions, whose ids hold the date of the update's Time,
	// which never changes on the page: their entries keep those ids (see
	// feedDate).
	Dated string `json:"dated,omitempty"`
}

// feedDate is the date in the id of the feed entry of the update dated
// dated and written at written (see entry.Dated).
func feedDate(dated string, written time.Time) string {
	if dated != "" {
		return dated
	}
	return written.UTC().Format(time.DateOnly)
}

// ids returns the entry's ID and aliases.
func (e *entry) ids() []string { return append([]string{e.ID}, e.Aliases...) }

// changed is the time the entry last changed, in some feed (see
// model.updated).
func (e *entry) changed() time.Time { return maxTime(maxTime(e.said(), e.Turned), e.TurnedCounted) }

// said is the time what the update says last changed: when it was
// written, edited or sent again after its retraction. Whether it turns
// its incident (see Turned) changes the entry only in the feeds where
// that makes it full or short (see model.updated).
func (e *entry) said() time.Time { return maxTime(maxTime(e.Time, e.Edited), e.Restored) }

// turning reports, for each of entries in order, whether it begins or
// stops its incident's giving its components a status (see givesStatus):
// the first, and each, stale corrections aside, whose status gives one
// where the one before gave none, or the reverse.
func turning(entries []entry) []bool {
	out := make([]bool, len(entries))
	first, gave := true, false
	for i := range entries {
		if entries[i].Stale {
			continue
		}
		gives := givesStatus(phaseOf(entries[i].Status))
		out[i] = first || gives != gave
		first, gave = false, gives
	}
	return out
}

// markTurned sets Turned, at now or the second after the entry last
// changed, of each entry of in, but the one whose ID is changing (added
// or edited, which moves on of itself), that turns it where it did not in
// old, or the reverse, where that changes whether the feed of a component
// it does not name has it in full (see model.full): it names
// feedComponents components or fewer, and in names another. Feed readers
// take an entry again only when its updated moves on. old is nil for a
// new incident.
func markTurned(old, in *incident, changing string, now time.Time) {
	if old == nil {
		return
	}
	was := map[string]bool{}
	for i, t := range turning(old.Entries) {
		was[old.Entries[i].ID] = t
	}
	all := named(in)
	for i, t := range turning(in.Entries) {
		e := &in.Entries[i]
		if e.ID == changing || len(e.Components) > feedComponents || concernsAll(e, all) {
			continue
		}
		if w, ok := was[e.ID]; ok && w != t {
			e.Turned = later(e.changed(), now)
		}
	}
}

// incident is an incident (or maintenance) with its updates, oldest first.
type incident struct {
	ID      string  `json:"id"`
	File    string  `json:"file"` // the page is incidents/<File>.html
	Entries []entry `json:"updates"`
	// Retracted is the time of the latest retraction of one of its
	// updates: it changed then. Zero if none.
	Retracted time.Time `json:"retracted,omitzero"`
}

// current is the incident's latest update that says its current status:
// the latest that is not a stale correction (the latest of all when every
// one is). The incident's status, title, resolution and promise of a next
// update are its.
func (in *incident) current() *entry { return &in.Entries[in.currentIndex()] }

// currentIndex is the index of current in in.Entries.
func (in *incident) currentIndex() int {
	for i := len(in.Entries) - 1; i >= 0; i-- {
		if !in.Entries[i].Stale {
			return i
		}
	}
	return len(in.Entries) - 1
}

// start is when the incident started: the time of its first update that
// is not a correction (of its first update when every one is). A
// backdated update moves it earlier; a correction, which fixes an update
// and starts nothing, does not, whatever its Time.
func (in *incident) start() *entry {
	for i := range in.Entries {
		if in.Entries[i].Corrects == "" {
			return &in.Entries[i]
		}
	}
	return &in.Entries[0]
}

// componentRecord is a component the page has listed.
type componentRecord struct {
	Name    string    `json:"name"`
	Feed    string    `json:"feed"` // its feed is components/<Feed>.atom
	Created time.Time `json:"created"`
	// Retracted is the time of the latest retraction from its feed.
	Retracted time.Time `json:"retracted,omitzero"`
}

// retraction is an update retracted from the page, as the feeds keep it
// for a while (see retractionKept): what names its entry, and nothing of
// what it said.
type retraction struct {
	ID         string    `json:"id"` // the entry's ID, not an alias
	IncidentID string    `json:"incident"`
	Time       time.Time `json:"time"` // the update's: its entry's id holds its date when Dated is empty
	Retracted  time.Time `json:"retracted"`
	// Components are those whose feeds held the entry: their incident
	// named them.
	Components []string `json:"components,omitempty"`
	// Seq orders it among the entries, as their Seq does.
	Seq int64 `json:"seq"`
	// Dated is the entry's Dated: its id is the entry's.
	Dated string `json:"dated,omitempty"`
}

// retractionKept is how long a retracted update stays in the feeds: far
// longer than any feed reader waits between two polls. retractionsMax
// bounds how many the state keeps however many are retracted at once.
const (
	retractionKept = 30 * 24 * time.Hour
	retractionsMax = 1000
)

// state is everything the page shows, as stored in a version's state.json
// and incidents/*.json. A state is never modified once published:
// operations work on a clone.
type state struct {
	gen     int64     // the version it was read from or written as; 0: none yet
	Format  int       `json:"format"`
	Nonce   string    `json:"nonce"` // random, new in every version: tells versions of one number apart
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Retracted is the time of the latest retraction: the feeds' updated
	// never goes back to the entries left.
	Retracted  time.Time         `json:"retracted,omitzero"`
	Seq        int64             `json:"seq"`
	Render     string            `json:"render"` // fingerprint of the incident pages' rendering
	Components []componentRecord `json:"components"`
	// Retractions are the updates retracted in the last retractionKept,
	// oldest first; never changed, only dropped. Absent from the state
	// files of older versions.
	Retractions []*retraction `json:"retractions,omitempty"`
	// Pruned is the latest date in the ids of the retractions dropped
	// (see prune): an update reaching the page on that day or before may
	// have the ID of one of them, and its entry must not have its id (see
	// entry.Dated). Empty when none was dropped; written so too, so that
	// a file without it is known to be of a version that did not record
	// it (see unrecordedPruned).
	Pruned string `json:"pruned"`
	// Host is the host name in the ids of the feed entries (see
	// entryID): that of BaseURL when the page was first written (by a
	// version that recorded it; the host of the write after, for a page
	// of an older one), kept when BaseURL changes, so that no entry's id
	// changes when the page moves (RFC 4287, section 4.2.6).
	Host string `json:"host,omitempty"`
	// Base is BaseURL (as checkBaseURL writes it) when the page was first
	// written, recorded as Host is: the feeds' ids and the JSON API's page
	// id are made from it, so that they do not change when the page moves
	// either (RFC 4287, section 4.2.6, is of a feed's id too).
	Base string `json:"base,omitempty"`

	incidents map[string]*incident // by incident ID
	byUpdate  map[string]*incident // by entry ID and alias
	files     map[string]string    // incident ID by File
}

func newState(now time.Time) *state {
	return &state{Format: stateFormat, Created: now, Updated: now,
		incidents: map[string]*incident{}, byUpdate: map[string]*incident{}, files: map[string]string{}}
}

// clone returns a copy that operations may change without changing s.
// Incidents are shared until replaced.
func (s *state) clone() *state {
	c := *s
	c.Components = slices.Clone(s.Components)
	c.Retractions = slices.Clone(s.Retractions)
	c.incidents = maps.Clone(s.incidents)
	c.byUpdate = maps.Clone(s.byUpdate)
	c.files = maps.Clone(s.files)
	return &c
}

// sorted returns the incidents ordered by their start (see
// incident.start), newest first.
func (s *state) sorted() []*incident {
	out := slices.Collect(maps.Values(s.incidents))
	slices.SortFunc(out, func(a, b *incident) int {
		as, bs := a.start(), b.start()
		if c := bs.Time.Compare(as.Time); c != 0 {
			return c
		}
		return cmp.Compare(bs.Seq, as.Seq)
	})
	return out
}

// add puts e into the incident incidentID at now. It reports the ID of
// the incident holding e, and false when an update with e's ID is on the
// page already. An update retracted earlier and sent again is no longer
// retracted: its feed entry is the update's again, restored at now (or,
// within the second of the retraction, the second after it), so that its
// updated moves past the retraction's notice that readers hold.
func (s *state) add(incidentID string, e entry, now time.Time) (string, bool, error) {
	if in := s.byUpdate[e.ID]; in != nil {
		return in.ID, false, nil
	}
	in := s.incidents[incidentID]
	if in == nil {
		file := pageName(incidentID)
		if other, ok := s.files[file]; ok {
			// Permanent: the names are what they are; no retry changes them.
			return "", false, broadcast.Permanent(fmt.Errorf("statuspage: incidents %q and %q would share the page %s.html; give one another IncidentID", other, incidentID, file))
		}
		in = &incident{ID: incidentID, File: file}
		s.files[file] = incidentID
	} else {
		c := *in
		c.Entries = slices.Clone(in.Entries)
		in = &c
	}
	// The update's entry has one id, whatever its Time: sent again, it
	// comes back under its retraction's. An update the page does not know
	// gets one of its own, also when an update with its ID was retracted
	// so long ago that the page forgot it (see entry.Dated).
	s.Seq++
	e.Seq = s.Seq
	e.Dated = now.UTC().Format(time.DateOnly)
	if e.Dated <= s.Pruned {
		e.Dated += ":" + strconv.FormatInt(e.Seq, 10)
	}
	s.Retractions = slices.DeleteFunc(s.Retractions, func(r *retraction) bool {
		if r.ID != e.ID {
			return false
		}
		e.Restored = maxTime(e.Restored, later(r.Retracted, now))
		e.Dated = feedDate(r.Dated, r.Time)
		return true
	})
	i, _ := slices.BinarySearchFunc(in.Entries, e, compareEntries)
	in.Entries = slices.Insert(in.Entries, i, e)
	markTurned(s.incidents[incidentID], in, e.ID, now)
	s.put(in)
	return in.ID, true, nil
}

func compareEntries(a, b entry) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// edit replaces the content of the entry id (an ID or alias) with e's,
// keeping its ID, time and place, and returns its incident's ID. found is
// false when no entry has id; changed is false when e was edited in
// already: its ID is an alias of the entry, or it is the entry's own ID
// and e says what the entry says. An e whose ID is another entry's (its
// ID or an alias) is refused for good: it is not this entry's correction.
// The feeds of the components the incident no longer names lost
// its entries: they record now (or, when an entry changed at a time not
// before it, the second after) as the time of a retraction.
func (s *state) edit(id string, e entry, now time.Time) (incidentID string, found, changed bool, err error) {
	old := s.byUpdate[id]
	if old == nil {
		return "", false, false, nil
	}
	in := *old
	in.Entries = slices.Clone(old.Entries)
	i := slices.IndexFunc(in.Entries, func(x entry) bool { return slices.Contains(x.ids(), id) })
	cur := in.Entries[i]
	// A correction that keeps the ID of the update it corrects (a copy of
	// it with the text fixed) replaces it as one with an ID of its own
	// does, but is no alias.
	own := e.ID == cur.ID
	if s.byUpdate[e.ID] != nil && !own {
		if slices.Contains(cur.Aliases, e.ID) {
			return in.ID, true, false, nil // edited in already
		}
		// Permanent: the ID is what it is; no retry changes it.
		return in.ID, true, false, broadcast.Permanent(fmt.Errorf(
			"statuspage: edit: the correction's ID %q is another update's on the page, not that of the update it corrects (%q); give the correction an ID of its own",
			e.ID, cur.ID))
	}
	if slices.Contains(cur.ids(), e.Corrects) {
		// Corrected in place: edited, not a correction of itself; a
		// correction of another update (one added as an update of its
		// own) stays one.
		e.Corrects = cur.Corrects
	}
	if own && sameContent(&cur, &e) {
		return in.ID, true, false, nil // edited in already
	}
	e.Aliases = slices.Clone(cur.Aliases)
	if !own {
		e.Aliases = append(e.Aliases, e.ID)
	}
	e.Edited = editTime(e.Time, lastChange(old), now)
	// The entry keeps its standing too: an edit changes what the update
	// said, not whether it says the incident's current status.
	e.ID, e.Time, e.Seq, e.Stale, e.Dated = cur.ID, cur.Time, cur.Seq, cur.Stale, cur.Dated
	in.Entries[i] = e
	in.Entries[i].Returned = returned(old.Entries, in.Entries, i, &cur)
	markTurned(old, &in, e.ID, now)
	// The feeds the incident leaves change later than any of its entries.
	left := later(lastChange(old), now)
	was, is := named(old), named(&in)
	for i, c := range s.Components {
		if was[c.Name] && !is[c.Name] {
			s.Components[i].Retracted = maxTime(c.Retracted, left)
		}
	}
	s.put(&in)
	return in.ID, true, true, nil
}

// sameContent reports whether a and b say the same: what an edit
// replaces.
func sameContent(a, b *entry) bool {
	return a.Title == b.Title && a.Status == b.Status && a.Impact == b.Impact && a.Body == b.Body &&
		a.Advice == b.Advice && slices.Equal(a.Components, b.Components) && a.URL == b.URL &&
		a.NextUpdate.Equal(b.NextUpdate) && a.Corrects == b.Corrects
}

// rename gives the components of every entry the name canon gives them,
// and returns the IDs of the incidents it changed. The feed of a name no
// entry of such an incident uses any more lost the incident's entries: it
// records a retraction then, as after an edit that renames a component.
func (s *state) rename(canon func(string) string, now time.Time) []string {
	var ids []string
	for id, old := range s.incidents {
		var in *incident
		for i := range old.Entries {
			comps, back := old.Entries[i].Components, old.Entries[i].Returned
			if !slices.ContainsFunc(comps, func(c broadcast.Component) bool { return canon(c.Name) != c.Name }) &&
				!slices.ContainsFunc(back, func(name string) bool { return canon(name) != name }) {
				continue
			}
			if in == nil {
				cp := *old
				cp.Entries = slices.Clone(old.Entries)
				in = &cp
			}
			comps = slices.Clone(comps)
			for j := range comps {
				comps[j].Name = canon(comps[j].Name)
			}
			in.Entries[i].Components = comps
			if len(back) > 0 {
				back = slices.Clone(back)
				for j := range back {
					back[j] = canon(back[j])
				}
				in.Entries[i].Returned = back
			}
		}
		if in == nil {
			continue
		}
		left := later(lastChange(old), now)
		was, is := named(old), named(in)
		for k, c := range s.Components {
			if was[c.Name] && !is[c.Name] {
				s.Components[k].Retracted = maxTime(c.Retracted, left)
			}
		}
		s.put(in)
		ids = append(ids, id)
	}
	return ids
}

// concernsAll reports whether e names, or has returned (see
// entry.Returned), every component of all: whether it turns its incident
// or not, every feed has it in full.
func concernsAll(e *entry, all map[string]bool) bool {
	for name := range all {
		if !slices.ContainsFunc(e.Components, func(c broadcast.Component) bool { return c.Name == name }) &&
			!slices.Contains(e.Returned, name) {
			return false
		}
	}
	return true
}

// returned returns the components that the i-th of entries, replacing
// cur there, no longer names and that it concerns, as a correction
// changed their status: cur's Returned, and those cur named that the
// incident gave another status after cur than after its correction (see
// statusesAfter). The statuses are folded once for all the components,
// and the names looked up in a set: a scan for each component would make
// an edit's work grow with the square of their number.
func returned(was, is []entry, i int, cur *entry) []string {
	names := make(map[string]bool, len(is[i].Components))
	for _, c := range is[i].Components {
		names[c.Name] = true
	}
	var out []string
	taken := map[string]bool{}
	for _, name := range cur.Returned {
		if !names[name] && !taken[name] {
			taken[name] = true
			out = append(out, name)
		}
	}
	var before, after func(string) broadcast.ComponentStatus
	for _, c := range cur.Components {
		if names[c.Name] || taken[c.Name] {
			continue
		}
		if before == nil {
			before, after = statusesAfter(was[:i+1]), statusesAfter(is[:i+1])
		}
		if before(c.Name) != after(c.Name) {
			taken[c.Name] = true
			out = append(out, c.Name)
		}
	}
	return out
}

// lastChange is when the latest of in's entries last changed.
func lastChange(in *incident) time.Time {
	var last time.Time
	for j := range in.Entries {
		last = maxTime(last, in.Entries[j].changed())
	}
	return last
}

// editTime is when an edit made at now by a correction written at
// written changed an entry of an incident whose entries last changed at
// last: the correction's time, or now when that is not later (a
// correction made from a copy of the update it corrects has its Time), so
// that the incident's feeds move on.
func editTime(written, last, now time.Time) time.Time { return later(last, written, now) }

// later returns the first of times at a later second than last, or else
// the second after last: when a change to an entry that last changed at
// last happened. Feeds give times in whole seconds, and readers refetch
// an entry only when its updated changes, so a change always moves it
// on, also when the entry's Time is ahead of the page's clock. The one
// exception is the last second of the year 9999 (which
// broadcast.Update.Validate accepts): no later second has an RFC 3339
// form for the state and the feeds to write, so a change after it keeps
// that second, and feed readers may miss it.
func later(last time.Time, times ...time.Time) time.Time {
	last = last.Truncate(time.Second)
	for _, t := range times {
		if t.Truncate(time.Second).After(last) {
			return t
		}
	}
	if !last.Before(lastSecond) {
		return last
	}
	return last.Add(time.Second)
}

// lastSecond is the start of the last second RFC 3339 writes.
var lastSecond = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// retract removes the entry id (an ID or alias), records the retraction
// for the feeds, and returns its incident's ID; an incident left without
// entries is removed. found is false when no entry has id. The feeds the
// entry was in record now (or, for an entry that changed at a time not
// before it, the second after that change) as the time of a retraction,
// the entry's new updated: the feed of all
// updates, and those of the components its incident names, since a
// component's feed holds the whole incident.
func (s *state) retract(id string, now time.Time) (incidentID string, found bool) {
	old := s.byUpdate[id]
	if old == nil {
		return "", false
	}
	in := *old
	i := slices.IndexFunc(in.Entries, func(x entry) bool { return slices.Contains(x.ids(), id) })
	now = later(in.Entries[i].changed(), now)
	s.Retracted = maxTime(s.Retracted, now)
	s.Seq++
	r := &retraction{ID: in.Entries[i].ID, IncidentID: in.ID, Time: in.Entries[i].Time, Retracted: now, Seq: s.Seq,
		Dated: in.Entries[i].Dated}
	rest := in
	rest.Entries = slices.Delete(slices.Clone(in.Entries), i, i+1)
	was, is := named(old), named(&rest)
	for j, c := range s.Components {
		if was[c.Name] {
			at := now
			if !is[c.Name] {
				// The feed loses the whole incident: it changes later
				// than any of its entries, one dated ahead too.
				at = later(lastChange(old), now)
			}
			s.Components[j].Retracted = maxTime(c.Retracted, at)
			r.Components = append(r.Components, c.Name)
		}
	}
	s.Retractions = append(s.Retractions, r)
	for _, alias := range in.Entries[i].ids() {
		delete(s.byUpdate, alias)
	}
	in.Entries = slices.Delete(slices.Clone(in.Entries), i, i+1)
	markTurned(old, &in, "", now)
	in.Retracted = maxTime(in.Retracted, now)
	if len(in.Entries) == 0 {
		delete(s.incidents, in.ID)
		delete(s.files, in.File)
		return in.ID, true
	}
	s.put(&in)
	return in.ID, true
}

// prune drops the retractions older than retractionKept at now, and the
// oldest beyond retractionsMax.
// It records the latest date in their entries' ids (see state.Pruned).
func (s *state) prune(now time.Time) {
	dropped := func(r *retraction) {
		date, _, _ := strings.Cut(feedDate(r.Dated, r.Time), ":")
		s.Pruned = max(s.Pruned, date)
	}
	s.Retractions = slices.DeleteFunc(s.Retractions, func(r *retraction) bool {
		if now.Sub(r.Retracted) > retractionKept {
			dropped(r)
			return true
		}
		return false
	})
	if extra := len(s.Retractions) - retractionsMax; extra > 0 {
		for _, r := range s.Retractions[:extra] {
			dropped(r)
		}
		s.Retractions = slices.Delete(s.Retractions, 0, extra)
	}
}

// unrecordedPruned is Pruned for a state file of a version that did not
// record it, which cannot tell "none dropped" from "some dropped, not
// recorded": taken as dropped, up to the latest date the id of a
// retraction it may have dropped can hold, the date of its latest write
// or of its latest retraction and 5 minutes, whichever is later. Such an
// id holds the date its update reached the page (not after the write that
// added it), the page's creation date (of versions before that) or its
// update's Time's (of those before, a Time before its retraction, which is
// not after state.Retracted, or, in the earliest, at most the 5 minutes
// ahead of the clock that the Broadcaster lets a Time be). An update new
// to the page by that day so gets an id of its own (see entry.Dated),
// never that of a retraction dropped; one of a later day gets the day's,
// as before.
func (s *state) unrecordedPruned() string {
	return maxTime(s.Updated, s.Retracted.Add(5*time.Minute)).UTC().Format(time.DateOnly)
}

// entryID returns the ID of the entry that holds the update id, as its ID
// or an alias.
func (s *state) entryID(id string) string {
	if in := s.byUpdate[id]; in != nil {
		for i := range in.Entries {
			if slices.Contains(in.Entries[i].ids(), id) {
				return in.Entries[i].ID
			}
		}
	}
	return id
}

// put stores in and indexes its entries.
func (s *state) put(in *incident) {
	s.incidents[in.ID] = in
	for i := range in.Entries {
		for _, id := range in.Entries[i].ids() {
			s.byUpdate[id] = in
		}
	}
}

// addComponents records components the page has not listed yet, giving
// each a feed name no other component has: its slug, or, when another
// has that, the slug and a hash of its name, and of its name and a number
// when a component is named so already ("api-<hash of api!>" before
// "api!"). Two records of one feed would write one file for both, and
// checkRecords refuses them.
func (s *state) addComponents(names []string, now time.Time) {
	known := map[string]bool{}
	used := map[string]bool{}
	for _, c := range s.Components {
		known[c.Name], used[c.Feed] = true, true
	}
	for _, name := range names {
		if known[name] {
			continue
		}
		slug := broadcast.Slug(name)
		feed := slug
		for n := 0; used[feed]; n++ {
			key := name
			if n > 0 {
				key += "\x00" + strconv.Itoa(n)
			}
			feed = slug + "-" + shortHash(key)
		}
		s.Components = append(s.Components, componentRecord{Name: name, Feed: feed, Created: now})
		known[name], used[feed] = true, true
	}
}

// plainName matches incident IDs used as page names as they are.
var plainName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// pageName is the name of an incident's page (and state file) without its
// extension: the incident ID itself when it is lower-case letters, digits
// and inner dashes, at most 64 bytes; otherwise a slug of it and a hash,
// so that every ID has its own page on every file system and host.
func pageName(incidentID string) string {
	if plainName.MatchString(incidentID) {
		return incidentID
	}
	return broadcast.Slug(incidentID) + "-" + shortHash(incidentID)
}

// shortHash is 12 hex digits of s's SHA-256.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// stateFile and incidentsDir name a version's state files: state.json,
// and the incidents in 64 buckets, incidents/<bucket>.json, so that a
// write rewrites one bucket and links the others. They are JSON without
// white space (files of older versions, indented, read the same).
const (
	stateFile    = "state.json"
	incidentsDir = "incidents"
	buckets      = 64
)

// bucket is the file, under incidentsDir, of the bucket of an incident.
func bucket(incidentID string) string {
	sum := sha256.Sum256([]byte(incidentID))
	return fmt.Sprintf("%02x.json", sum[0]%buckets)
}

// byBucket returns the incidents of s by bucket, each bucket's ordered by
// ID.
func (s *state) byBucket() map[string][]*incident {
	out := map[string][]*incident{}
	for _, in := range s.incidents {
		b := bucket(in.ID)
		out[b] = append(out[b], in)
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b *incident) int { return strings.Compare(a.ID, b.ID) })
	}
	return out
}

// readNonce returns the nonce of the version in dir.
func readNonce(dir string) (string, error) {
	data, err := readStateFile(dir)
	if err != nil {
		return "", err
	}
	var v struct {
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return "", fmt.Errorf("%w: %s: %v", errCorrupt, filepath.Join(dir, stateFile), err)
	}
	return v.Nonce, nil
}

// readStateFile reads the state file of the version in dir, which
// Dir/current points at: one missing (or its version) is corrupt, since
// no retry brings it back. The errors about the state's files name them
// by their whole path: the operator finds them without knowing the
// layout of Config.Dir.
func readStateFile(dir string) ([]byte, error) {
	file := filepath.Join(dir, stateFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: missing", errCorrupt, file)
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	return data, nil
}

// loadState reads the state of the version in dir.
func loadState(dir string, gen int64) (*state, error) {
	data, err := readStateFile(dir)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, stateFile)
	s := newState(time.Time{})
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errCorrupt, file, err)
	}
	if s.Format != stateFormat {
		return nil, fmt.Errorf("%w: %s: format %d, this version reads %d", errCorrupt, file, s.Format, stateFormat)
	}
	var recorded struct {
		Pruned *string `json:"pruned"`
	}
	if err := json.Unmarshal(data, &recorded); err == nil && recorded.Pruned == nil {
		s.Pruned = s.unrecordedPruned()
	}
	if err := s.checkRecords(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errCorrupt, file, err)
	}
	s.gen = gen
	files, err := os.ReadDir(filepath.Join(dir, incidentsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read state: %w", err)
	}
	for _, f := range files {
		if f.IsDir() || !strings.HasSuffix(f.Name(), ".json") {
			continue
		}
		if err := s.loadBucket(filepath.Join(dir, incidentsDir), f.Name()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *state) loadBucket(dir, name string) error {
	file := filepath.Join(dir, name)
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read state: %w", err)
	}
	var list []*incident
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("%w: %s: %v", errCorrupt, file, err)
	}
	for _, in := range list {
		if err := in.check(); err != nil {
			return fmt.Errorf("%w: %s: %v", errCorrupt, file, err)
		}
		if bucket(in.ID) != name || in.File != pageName(in.ID) || len(in.Entries) == 0 || s.incidents[in.ID] != nil {
			return fmt.Errorf("%w: %s: incident %q does not belong there", errCorrupt, file, in.ID)
		}
		for i := range in.Entries {
			in.Entries[i].Components = mergeNamedTwice(in.Entries[i].Components)
		}
		s.files[in.File] = in.ID
		s.put(in)
	}
	return nil
}

// mergeNamedTwice returns comps with each component once. Send refuses
// an update naming a component twice (broadcast.Update.Validate, which
// takes names that differ only in case or spacing for one), but a state
// file edited by hand or written by an older version may hold one: the
// component stays at its first place, under its first name, with the
// status of its last copy, the one the incident's page shows (see
// IncidentData.fold), so that its feed and its page say the same.
func mergeNamedTwice(comps []broadcast.Component) []broadcast.Component {
	if len(comps) < 2 {
		return comps
	}
	at := make(map[string]int, len(comps))
	var out []broadcast.Component
	for i, c := range comps {
		key := broadcast.ComponentKey(c.Name)
		j, dup := at[key]
		if !dup {
			at[key] = len(at)
			if out != nil {
				out = append(out, c)
			}
			continue
		}
		if out == nil {
			out = slices.Clone(comps[:i])
		}
		out[j].Status = c.Status
	}
	if out == nil {
		return comps
	}
	return out
}

// feedName matches the names addComponents gives the components' feeds:
// a slug, and maybe a hash.
var feedName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,99}$`)

// checkRecords reports what in the state file's records this package
// never writes: a null, a component without a name or whose feed is not
// named as addComponents names them (a path elsewhere would be written
// outside the site), a retraction of no update.
func (s *state) checkRecords() error {
	feeds := map[string]bool{}
	for i, c := range s.Components {
		if c.Name == "" || !feedName.MatchString(c.Feed) || feeds[c.Feed] {
			return fmt.Errorf("component %d (%q): not a component this package records", i, c.Name)
		}
		feeds[c.Feed] = true
	}
	for i, r := range s.Retractions {
		if r == nil || r.ID == "" {
			return fmt.Errorf("retraction %d: not a retraction this package records", i)
		}
	}
	return nil
}

// check reports what in an incident of a state file this package never
// writes: a null, an update without an ID.
func (in *incident) check() error {
	if in == nil {
		return errors.New("a null incident")
	}
	for i := range in.Entries {
		if in.Entries[i].ID == "" {
			return fmt.Errorf("incident %q: update %d has no ID", in.ID, i)
		}
	}
	return nil
}
