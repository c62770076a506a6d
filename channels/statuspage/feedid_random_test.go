package statuspage

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// idFeed is an Atom feed as a reader parses it: what RFC 4287 requires
// of the feed and its entries, and the tombstones of RFC 6721.
type idFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Content *struct {
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
	Deleted []struct {
		Ref  string `xml:"ref,attr"`
		When string `xml:"when,attr"`
	} `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
}

// checkIRI fails unless s is an absolute IRI.
func checkIRI(t *testing.T, what, s string) {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err, "%s %q", what, s)
	require.NotEmpty(t, u.Scheme, "%s %q is no absolute IRI", what, s)
	require.False(t, strings.ContainsAny(s, " <>\"{}|\\^`"), "%s %q", what, s)
}

// readFeeds parses every feed of the published site, checks each is a
// valid Atom feed, and returns them by path.
func readFeeds(t *testing.T, root string) map[string]*idFeed {
	t.Helper()
	out := map[string]*idFeed{}
	root, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".atom") {
			return err
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var f idFeed
		require.NoError(t, xml.Unmarshal(b, &f), path)
		checkIRI(t, path+": feed id", f.ID)
		require.NotEmpty(t, strings.TrimSpace(f.Title), "%s: feed title", path)
		_, err = time.Parse(time.RFC3339, f.Updated)
		require.NoError(t, err, "%s: feed updated", path)
		seen := map[string]bool{}
		for _, e := range f.Entries {
			checkIRI(t, path+": entry id", e.ID)
			require.False(t, seen[e.ID], "%s: entry id %s twice", path, e.ID)
			seen[e.ID] = true
			require.NotEmpty(t, strings.TrimSpace(e.Title), "%s: %s: title", path, e.ID)
			_, err := time.Parse(time.RFC3339, e.Updated)
			require.NoError(t, err, "%s: %s: updated", path, e.ID)
			alternate := false
			for _, l := range e.Links {
				alternate = alternate || l.Rel == "alternate" && l.Href != ""
			}
			require.True(t, e.Content != nil || alternate, "%s: %s: neither content nor alternate link", path, e.ID)
		}
		for _, d := range f.Deleted {
			checkIRI(t, path+": deleted-entry ref", d.Ref)
			_, err := time.Parse(time.RFC3339, d.When)
			require.NoError(t, err, "%s: deleted-entry %s: when", path, d.Ref)
		}
		out[strings.TrimPrefix(path, root+string(filepath.Separator))] = &f
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, out, "history.atom")
	return out
}

// updateOf returns the update ID in a feed entry's id on this page (a
// tag URI: "tag:<host>,<date>:update/<ID>").
func updateOf(t *testing.T, id string) string {
	t.Helper()
	_, esc, ok := strings.Cut(id, ":update/")
	require.True(t, ok, "entry id %s", id)
	u, err := url.PathUnescape(esc)
	require.NoError(t, err, "entry id %s", id)
	return u
}

// A long random sequence of Send, Correct (Edit) and Retract, with the
// clock jumping forward 40 days (so that the page forgets the
// retractions) and back again, the Channel made again on the directory
// (a restart), updates naming one component or a dozen, and feeds of
// few entries: every feed written is valid Atom, and its entries' ids are
// stable and unique, as a model of the page that knows nothing of how
// they are made tells: an update keeps the id it was first seen with
// while it is on the page, and gets it back when sent again while its
// retraction is in the feeds (less than 30 days ago); sent again after,
// or first sent, it is another update, and no id seen for one update is
// ever seen for another.
func TestFeedIDsStableAndUniqueRandom(t *testing.T) {
	forEachSeed(t, 2, randomFeedIDs)
}

func randomFeedIDs(t *testing.T, seed uint64) {
	r := newFeedRun(t, seed, 49, Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"}, 4, 8)
	rng := r.rng

	// The model: each update sent new to the page is an identity.
	type retracted struct {
		ident  int
		at     time.Time // the page's clock at the retraction
		pruned bool      // a change at least 30 days after it
	}
	live := map[string]int{}        // identity by the ID of an entry on the page
	aliases := map[string]string{}  // correction ID: the entry's ID
	gone := map[string]*retracted{} // by update ID, the latest retraction
	receipts := map[string]string{} // the ID to give Edit and Retract: the entry's ID or an alias
	idOf := map[int]string{}        // feed entry id by identity, once seen
	ownerOf := map[string]int{}     // identity by feed entry id
	// touched is the latest clock at which each identity changed (was
	// sent, restored, corrected or retracted): a retraction is not dated
	// before the entry's last change, when the clock went back since.
	touched := map[int]time.Time{}
	touch := func(ident int) {
		if r.now.After(touched[ident]) {
			touched[ident] = r.now
		}
	}
	next := 0
	changed := func() {
		for _, g := range gone {
			if r.now.Sub(g.at) > retractionKept {
				g.pruned = true
			}
		}
	}
	comps := func() []broadcast.Component {
		n := 1 + rng.IntN(2)
		if rng.IntN(3) == 0 {
			n = feedComponents + 2
		}
		out := make([]broadcast.Component, n)
		for i, k := range rng.Perm(feedComponents + 4)[:n] {
			out[i] = broadcast.Component{Name: fmt.Sprint("C", k), Status: broadcast.ComponentPartialOutage}
		}
		return out
	}
	upd := func(id string) broadcast.Update {
		return broadcast.Update{ID: id, IncidentID: fmt.Sprint("inc", rng.IntN(5)), Title: "T " + id,
			Status: broadcast.StatusInvestigating, Body: fmt.Sprint("body ", rng.IntN(1000)), Components: comps(),
			Time: r.now.Add(time.Duration(rng.IntN(240)-120) * time.Minute)}
	}
	// sent records a Send (or an Edit adding) of id new to the page.
	sent := func(id string) {
		if g := gone[id]; g != nil && !g.pruned {
			live[id] = g.ident
		} else {
			live[id] = next
			next++
		}
		delete(gone, id)
		receipts[id] = id
		touch(live[id])
	}
	for step := range 100 {
		switch k := rng.IntN(20); {
		case k < 2:
			r.now = r.now.Add(40 * 24 * time.Hour)
		case k < 3:
			r.now = r.now.Add(-40 * 24 * time.Hour)
		case k < 4:
			r.c = r.open(r.cfg) // a restart
		}
		r.tick(10)
		op := r.draw(10, 5, 2, 3)
		if os.Getenv("RANDLOG") != "" {
			t.Logf("step %d now %s op %d live %v gone %v", step, r.now.Format(time.DateTime), op, live, func() map[string]string {
				m := map[string]string{}
				for k, g := range gone {
					m[k] = fmt.Sprint(g.ident, g.at.Format(time.DateOnly), g.pruned)
				}
				return m
			}())
		}
		switch {
		case op == opSend:
			id := fmt.Sprint("u", rng.IntN(25))
			_, onPage := live[id]
			_, isAlias := aliases[id]
			r.send(step, broadcast.NewMessage(upd(id)))
			if !onPage && !isAlias {
				sent(id)
				changed()
			}
		case op == opEdit && len(receipts) > 0: // Correct
			prev := pick(rng, receipts)
			id := prev
			if rng.IntN(2) == 0 {
				id = fmt.Sprint("corr", step)
			}
			r.edit(step, broadcast.NewMessage(upd(id)), prev)
			if _, isAlias := aliases[prev]; id == prev && isAlias {
				continue // edited in already: no change
			}
			touch(live[orID(aliases[prev], prev)])
			if id != prev {
				main := orID(aliases[prev], prev)
				aliases[id] = main
				receipts[id] = id
			}
			changed()
		case len(receipts) > 0: // Retract
			prev := pick(rng, receipts)
			main := orID(aliases[prev], prev)
			r.retract(step, prev)
			touch(live[main])
			gone[main] = &retracted{ident: live[main], at: touched[live[main]]}
			delete(live, main)
			for a, m := range aliases {
				if m == main {
					delete(aliases, a)
					delete(receipts, a)
				}
			}
			delete(receipts, main)
			changed()
		default:
			continue
		}

		for path, f := range readFeeds(t, r.c.Root()) {
			check := func(id string, ident int) {
				if was, ok := ownerOf[id]; ok {
					require.Equal(t, was, ident, "step %d: %s: id %s of another update", step, path, id)
				}
				if was, ok := idOf[ident]; ok {
					require.Equal(t, was, id, "step %d: %s: an update's id changed", step, path)
				}
				ownerOf[id], idOf[ident] = ident, id
			}
			tomb := map[string]bool{}
			for _, d := range f.Deleted {
				u := updateOf(t, d.Ref)
				g := gone[u]
				require.NotNil(t, g, "step %d: %s: tombstone of %s, not retracted", step, path, u)
				check(d.Ref, g.ident)
				tomb[d.Ref] = true
			}
			for _, e := range f.Entries {
				if tomb[e.ID] {
					continue // the retraction's notice
				}
				u := updateOf(t, e.ID)
				ident, ok := live[u]
				require.True(t, ok, "step %d: %s: entry of %s, not on the page", step, path, u)
				check(e.ID, ident)
			}
		}
	}
}

func pick(rng *rand.Rand, m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[rng.IntN(len(keys))]
}

func orID(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
