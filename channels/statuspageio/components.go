package statuspageio

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
)

// The component list is read in pages of componentsPerPage, the API's
// maximum, and at most maxComponentPages of them.
const (
	componentsPerPage = 100
	maxComponentPages = 50
)

// componentCache maps the page's component names to ids. It is filled on
// the first update that names a component and refreshed when an update
// names one it does not know.
type componentCache struct {
	lock   chan struct{} // held while the list is fetched; a channel, so that waiting honours ctx
	mu     sync.Mutex
	exact  map[string][]string // name → ids
	folded map[string][]string // name folded (see fold) → ids
	gen    uint64              // fetches so far
}

func newComponentCache() *componentCache { return &componentCache{lock: make(chan struct{}, 1)} }

// find looks the names of want up. It returns the ids and statuses of
// those it knows, the names it does not know (and the fetch it looked
// in), or an error for a name that several components have.
func (cc *componentCache) find(want []broadcast.Component) (r resolved, missing []string, gen uint64, err error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	r.statuses = make(map[string]string, len(want))
	for _, w := range want {
		name := strings.TrimSpace(w.Name)
		ids := cc.exact[name]
		if len(ids) == 0 {
			ids = cc.folded[broadcast.ComponentKey(name)]
		}
		switch {
		case len(ids) == 0:
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
			continue
		case len(ids) > 1:
			return resolved{}, nil, cc.gen, broadcast.Permanent(fmt.Errorf(
				"component %q: %d components of the page have that name; rename them apart", name, len(ids)))
		}
		if _, dup := r.statuses[ids[0]]; !dup {
			r.ids = append(r.ids, ids[0])
		}
		r.statuses[ids[0]] = string(w.Status)
	}
	r.gen = cc.gen
	return r, missing, cc.gen, nil
}

// store replaces the cache with list. Groups are left out: Statuspage
// derives a group's status from its components. A component listed twice
// counts once: the API pages by offset, so one created while the list is
// read shifts the next page back over the last of the previous one.
func (cc *componentCache) store(list []component) {
	exact, folded := map[string][]string{}, map[string][]string{}
	seen := make(map[string]bool, len(list))
	for _, c := range list {
		if c.Group || c.ID == "" || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		name := strings.TrimSpace(c.Name)
		exact[name] = append(exact[name], c.ID)
		folded[broadcast.ComponentKey(name)] = append(folded[broadcast.ComponentKey(name)], c.ID)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.exact, cc.folded = exact, folded
	cc.gen++
}

// resolve returns the ids of the components want names, fetching the
// page's list when the cache lacks one of them, or when stale is the
// fetch (resolved.gen) whose ids the API refused: once per call, and not
// at all when another call fetched it since this one looked. It returns
// the names the page does not have too: the update is posted without
// them.
func (c *Channel) resolve(ctx context.Context, want []broadcast.Component, stale uint64) (resolved, []string, error) {
	if len(want) == 0 {
		return resolved{}, nil, nil
	}
	cc := c.s.comps
	r, missing, seen, err := cc.find(want)
	if err != nil || len(missing) == 0 && (stale == 0 || seen != stale) {
		return r, nil, err
	}
	select {
	case cc.lock <- struct{}{}:
	case <-ctx.Done():
		return resolved{}, nil, fmt.Errorf("wait for the component list: %w", ctx.Err())
	}
	defer func() { <-cc.lock }()
	if r, missing, gen, err := cc.find(want); gen != seen {
		r.fresh = true
		return r, missing, err // another call fetched the list since this one looked: use it
	}
	list, err := c.listComponents(ctx)
	if err != nil {
		return resolved{}, nil, err
	}
	cc.store(list)
	r, missing, _, err = cc.find(want)
	r.fresh = true
	return r, missing, err
}

// staleIDs reports whether err, the API's refusal of a post with comps,
// may be a refusal of ids the cache kept of components deleted on the
// page since: comps were not read in this call, and the API refused the
// request as invalid (Statuspage answers an unknown id as it answers a
// bad field).
func staleIDs(err error, comps resolved) bool {
	if err == nil || comps.fresh || len(comps.ids) == 0 {
		return false
	}
	return isStatus(err, http.StatusUnprocessableEntity) || isStatus(err, http.StatusNotFound) ||
		isStatus(err, http.StatusBadRequest)
}

// unknownNote is the Receipt's note (MetaUnknownComponents) of the
// component names the page does not have; "" for none.
func unknownNote(missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	quoted := make([]string, len(missing))
	for i, name := range missing {
		quoted[i] = strconv.Quote(name)
	}
	what := "component "
	if len(missing) > 1 {
		what = "components "
	}
	return what + strings.Join(quoted, ", ") + " not set: the page has no such component " +
		"(names are matched exactly, then ignoring case and spacing; groups are not components)"
}

// listComponents reads the page's components, page by page.
func (c *Channel) listComponents(ctx context.Context) ([]component, error) {
	var all []component
	for page := 1; page <= maxComponentPages; page++ {
		var batch []component
		path := fmt.Sprintf("/components?page=%d&per_page=%d", page, componentsPerPage)
		if err := c.do(ctx, http.MethodGet, path, nil, &batch); err != nil {
			return nil, fmt.Errorf("list components: %w", err)
		}
		all = append(all, batch...)
		if len(batch) < componentsPerPage {
			break
		}
	}
	return all, nil
}
