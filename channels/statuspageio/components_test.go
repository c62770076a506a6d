package statuspageio

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// componentLists counts the requests that listed the components.
func componentLists(f *fakeAPI) int {
	n := 0
	for _, r := range f.sent() {
		if strings.HasSuffix(r.path, "/components") {
			n++
		}
	}
	return n
}

func withComponents(u broadcast.Update, id string, cs ...broadcast.Component) broadcast.Update {
	u.ID, u.Components = id, cs
	return u
}

// Names are resolved to ids once: later updates use the cache. An update
// without components lists nothing.
func TestComponentsResolvedOnce(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	send(t, ch, withComponents(fullUpdate, "u_none"), broadcast.Thread{})
	assert.Zero(t, componentLists(f), "an update without components")
	send(t, ch, fullUpdate, broadcast.Thread{})
	send(t, ch, withComponents(fullUpdate, "u_cdn", broadcast.Component{Name: "CDN", Status: broadcast.ComponentMajorOutage}), broadcast.Thread{})
	assert.Equal(t, 1, componentLists(f))
}

// An unknown name refreshes the cache once: a component added since is
// found. One the page does not have (a typo, a component renamed) does not
// keep the incident off the page in an outage: the update is posted with
// the components the page has, and the Receipt's Meta names the missing
// ones (MetaUnknownComponents), whose statuses were not set. Statuspage
// takes any subset of the page's component ids in component_ids and
// components (https://developer.statuspage.io/#operation/postPagesPageIdIncidents).
// Before, the whole update failed for good, and nothing was posted.
func TestUnknownComponent(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	send(t, ch, fullUpdate, broadcast.Thread{})
	f.addComponent(fakeComponent{ID: "r8b1d8web004", Name: "Website"})
	send(t, ch, withComponents(fullUpdate, "u_web", broadcast.Component{Name: "Website", Status: broadcast.ComponentDegraded}), broadcast.Thread{})
	assert.Equal(t, 2, componentLists(f), "one refresh for the new component")

	before := len(f.Received())
	r, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_bad",
		broadcast.Component{Name: "Billing", Status: broadcast.ComponentMajorOutage},
		broadcast.Component{Name: "CDN", Status: broadcast.ComponentDegraded},
		broadcast.Component{Name: "Payroll", Status: broadcast.ComponentDegraded})))
	require.NoError(t, err)
	assert.Equal(t, 3, componentLists(f), "exactly one refresh for the unknown names")
	assert.Len(t, f.Received(), before+1, "posted")
	in := incidentOfRequest(t, f.sent()[len(f.sent())-1].raw)
	assert.Equal(t, []any{"r8b1d8cdn001"}, in["component_ids"])
	assert.Equal(t, map[string]any{"r8b1d8cdn001": "degraded_performance"}, in["components"])
	assert.Equal(t, `components "Billing", "Payroll" not set: the page has no such component `+
		`(names are matched exactly, then ignoring case and spacing; groups are not components)`, r.Meta[MetaUnknownComponents])

	// None known: the incident update leaves the incident's components as
	// they were (neither field sent), rather than clearing them.
	r, err = ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_none_known",
		broadcast.Component{Name: "Billing", Status: broadcast.ComponentMajorOutage})))
	require.NoError(t, err)
	in = incidentOfRequest(t, f.sent()[len(f.sent())-1].raw)
	assert.NotContains(t, in, "component_ids")
	assert.NotContains(t, in, "components")
	assert.Contains(t, r.Meta[MetaUnknownComponents], `component "Billing" not set`)

	r = send(t, ch, withComponents(fullUpdate, "u_cdn", broadcast.Component{Name: "CDN", Status: broadcast.ComponentDegraded}), broadcast.Thread{})
	assert.NotContains(t, r.Meta, MetaUnknownComponents)
}

// Names match exactly, else ignoring case; groups are not components; a
// name two components share is refused; so is a component the Update
// lists twice (in a Message built by hand: the Broadcaster refuses it),
// before anything is sent.
func TestComponentNames(t *testing.T) {
	f := newFake(t)
	f.addComponent(fakeComponent{ID: "r8b1d8dup005", Name: "Search"})
	f.addComponent(fakeComponent{ID: "r8b1d8dup006", Name: "Search"})
	ch := newChannel(t, f, nil)
	send(t, ch, withComponents(fullUpdate, "u_case", broadcast.Component{Name: "cdn", Status: broadcast.ComponentMajorOutage}),
		broadcast.Thread{})
	in := incidentOfRequest(t, f.sent()[1].raw)
	assert.Equal(t, []any{"r8b1d8cdn001"}, in["component_ids"])
	assert.Equal(t, map[string]any{"r8b1d8cdn001": "major_outage"}, in["components"])

	n := len(f.sent())
	_, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_twice",
		broadcast.Component{Name: "cdn", Status: broadcast.ComponentDegraded},
		broadcast.Component{Name: "CDN", Status: broadcast.ComponentMajorOutage})))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), `Components[1].Name: "CDN", listed already as Components[0]`)
	assert.Len(t, f.sent(), n)

	for name, want := range map[string]string{
		"Search": `component "Search": 2 components of the page have that name`,
	} {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_"+name,
			broadcast.Component{Name: name, Status: broadcast.ComponentDegraded})))
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), name)
		assert.Contains(t, err.Error(), want)
	}
}

// A page with more components than one page of the list is read whole.
func TestComponentPages(t *testing.T) {
	f := newFake(t)
	for i := range 150 {
		f.addComponent(fakeComponent{ID: fmt.Sprintf("c%011d", i), Name: fmt.Sprintf("Region %d", i)})
	}
	ch := newChannel(t, f, nil)
	send(t, ch, withComponents(fullUpdate, "u_region", broadcast.Component{Name: "Region 149", Status: broadcast.ComponentDegraded}), broadcast.Thread{})
	var pages []string
	for _, r := range f.sent() {
		if strings.HasSuffix(r.path, "/components") {
			pages = append(pages, r.query)
		}
	}
	assert.Equal(t, []string{"page=1&per_page=100", "page=2&per_page=100"}, pages)
	assert.Equal(t, []any{"c00000000149"}, incidentOfRequest(t, f.sent()[2].raw)["component_ids"])
}

// A component created while the list is read shifts the pages (the API
// pages by offset): the last component of page 1 is listed again on page
// 2. It is one component, not two of the same name.
func TestComponentPagesShifted(t *testing.T) {
	f := newFake(t)
	for i := range 150 {
		f.addComponent(fakeComponent{ID: fmt.Sprintf("c%011d", i), Name: fmt.Sprintf("Region %d", i)})
	}
	f.prepend = &fakeComponent{ID: "c0000000new0", Name: "Region new"}
	ch := newChannel(t, f, nil)
	edge := fmt.Sprintf("Region %d", 100-len(fakeComponents)-1) // the last of page 1
	send(t, ch, withComponents(fullUpdate, "u_edge", broadcast.Component{Name: edge, Status: broadcast.ComponentDegraded}), broadcast.Thread{})
	assert.Equal(t, 2, componentLists(f))
	assert.Equal(t, []any{fmt.Sprintf("c%011d", 100-len(fakeComponents)-1)}, incidentOfRequest(t, f.sent()[2].raw)["component_ids"])
}

// A failure listing the components is classified like any other.
func TestComponentListFails(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 503, body: "upstream connect error"})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "statuspageio: resolve components: list components: http status 503")
	send(t, ch, fullUpdate, broadcast.Thread{})
	assert.Len(t, f.Received(), 1)
}

// A component deleted on the page since the list was read (made anew under
// the same name, or gone) does not keep the update off the page: the
// refusal of its stale id makes the channel read the list again, in the
// same attempt, and post with the ids the page has now. Before, every
// later update naming it failed for good ("Component … not found") until
// the process restarted.
func TestStaleComponentID(t *testing.T) {
	for _, tt := range []struct {
		name    string
		with    fakeComponent
		ids     []any
		unknown string
		lists   int // an unknown name reads the list on each update that names it
	}{
		{"made anew", fakeComponent{ID: "r8b1d8cdn009", Name: "CDN"}, []any{"r8b1d8cdn009", "r8b1d8api002"}, "", 2},
		{"gone", fakeComponent{}, []any{"r8b1d8api002"}, `component "CDN" not set`, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, nil)
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			f.replaceComponent("r8b1d8cdn001", tt.with)

			for i, th := range []broadcast.Thread{{}, {Root: root, Last: root}} {
				u := withComponents(fullUpdate, fmt.Sprintf("u_after_%d", i), fullUpdate.Components...)
				m := broadcast.NewMessage(u)
				m.Thread = th
				r, err := ch.Send(context.Background(), m)
				require.NoError(t, err, "thread %d", i)
				in := incidentOfRequest(t, f.sent()[len(f.sent())-1].raw)
				assert.Equal(t, tt.ids, in["component_ids"])
				if tt.unknown == "" {
					assert.NotContains(t, r.Meta, MetaUnknownComponents)
				} else {
					assert.Contains(t, r.Meta[MetaUnknownComponents], tt.unknown)
				}
			}
			assert.Equal(t, tt.lists, componentLists(f), "read again once after the refusal")
			assert.Len(t, f.Received(), 3)
		})
	}
}

// Another refusal of an update with cached components reads the list again
// once and, the ids being the page's, posts nothing more: the refusal is
// the error, permanent.
func TestRefusalWithCurrentComponentIDs(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 422, body: `{"error":["Impact override is not included in the list"]}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_refused", fullUpdate.Components...)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "http status 422 Unprocessable Entity: Impact override is not included in the list")
	assert.Equal(t, 2, componentLists(f))
	assert.Len(t, f.Received(), 1)
	assert.Len(t, f.sent(), 4, "list, create, create refused, list")
}

// A name that differs from the page's only in case or spacing ("data
// base", "Data  base", as alerts of several hosts label it), or as
// broadcast.ComponentKey folds it further (a final sigma, an invisible
// character), names that component, as broadcast.Update.Validate has such
// names one component; before, a run of spaces made it unknown, and its
// status was not set.
func TestComponentNameSpacing(t *testing.T) {
	for _, names := range [][2]string{{"Data base", "data  BASE"}, {"ΟΔΟΣ", "Οδος\u200b"}} {
		f := newFake(t)
		ch := newChannel(t, f, nil)
		f.addComponent(fakeComponent{ID: "r8b1d8dbs005", Name: names[0]})
		r, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_db",
			broadcast.Component{Name: names[1], Status: broadcast.ComponentMajorOutage})))
		require.NoError(t, err)
		assert.Empty(t, r.Meta[MetaUnknownComponents], names[1])
		in := incidentOfRequest(t, f.sent()[len(f.sent())-1].raw)
		assert.Equal(t, []any{"r8b1d8dbs005"}, in["component_ids"], names[1])
	}
}
