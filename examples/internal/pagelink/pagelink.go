// Package pagelink finds the status page among a configuration's channels
// (kind statuspage), so that an update given without a link links to its
// incident's page there on every channel, the same way in every example
// program: but not an update that the page's "when:" leaves out of an
// incident it has no page of yet, where the link would lead nowhere (see
// Page.Link).
package pagelink

import (
	"context"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// pager is a channel that keeps a page per incident (channels/statuspage).
type pager interface {
	IncidentURL(broadcast.Update) string
}

// Of returns the URL of an incident's page on the first status page among
// channels, given the incident's ID; nil when there is none. The URL
// follows from the configuration alone: the same before and after the
// update is sent, on every run and every replica.
func Of(channels []broadcast.Channel) func(incidentID string) string {
	for _, ch := range channels {
		if p, ok := broadcast.As[pager](ch); ok {
			return func(id string) string { return p.IncidentURL(broadcast.Update{IncidentID: id}) }
		}
	}
	return nil
}

// Set sets u.URL, when empty, to its incident's page on page (as Of
// returns it; nil: none), the incident's ID derived from the title when u
// has none, as broadcast.Update.WithDefaults derives it. u.ID, when
// empty, is first derived from the content as given, without the link:
// an update posted again is the same update whether or not a status page
// has been configured since.
func Set(u *broadcast.Update, page func(incidentID string) string) {
	if u.URL != "" || page == nil {
		return
	}
	d := u.WithDefaults(time.Time{})
	if u.ID == "" {
		u.ID = d.ID
	}
	u.URL = page(d.IncidentID)
}

// Page is the status page that Of links to, the first channel of kind
// statuspage among a configuration's channels, with its route.
type Page struct {
	// Name is the channel's name.
	Name string
	// Route is the channel's "when:" (config.File.Routes); nil without
	// one: the page takes every update.
	Route *broadcast.Route
	url   func(incidentID string) string
}

// Find returns the status page among channels that Of links to, with its
// Route from routes (config.File.Routes, broadcast.Options.Routes: by
// channel name); nil when there is none.
func Find(channels []broadcast.Channel, routes map[string]broadcast.Route) *Page {
	for i, ch := range channels {
		if url := Of(channels[i : i+1]); url != nil {
			p := &Page{Name: ch.Name(), url: url}
			if r, ok := routes[p.Name]; ok {
				p.Route = &r
			}
			return p
		}
	}
	return nil
}

// URL returns the URL of incident incidentID's page on p, whether or not
// the page has it.
func (p *Page) URL(incidentID string) string { return p.url(incidentID) }

// Reader is what Link reads of the Broadcaster that sends to the page (a
// *broadcast.Broadcaster): the page's thread of the incident, and how a
// correction is routed there.
type Reader interface {
	Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error)
	CorrectionRejects(ctx context.Context, original string, u broadcast.Update, channel string) (string, error)
}

// Link returns the URL of u's incident's page on p (see URL; the
// incident's ID derived from the title when u has none), the link of an
// update given without one; "" when p is nil, or when the page will not
// have the incident: the page has no page of it (r's Thread of it on the
// page is empty) and p's Route leaves u out, as the Broadcaster decides
// it, or, when original is not "", as Correct routes u, a correction of
// update original (see broadcast.Broadcaster.CorrectionRejects). An
// update of an incident the page has links to it, whatever the Route says
// of the update. A thread or a decision that cannot be read keeps the
// link. u's own URL plays no part.
func (p *Page) Link(ctx context.Context, r Reader, u broadcast.Update, original string) string {
	if p == nil {
		return ""
	}
	u.URL = ""
	// The incident's ID, and the fields cleaned as a send cleans them; no
	// Time is needed to route u.
	d := u.WithDefaults(time.Time{})
	link := p.url(d.IncidentID)
	if p.Route == nil {
		return link
	}
	t, err := r.Thread(ctx, d.IncidentID, p.Name)
	if err != nil || !t.IsZero() {
		return link
	}
	var why string
	if original == "" {
		why = p.Route.Rejects(d, t)
	} else if why, err = r.CorrectionRejects(ctx, original, d, p.Name); err != nil {
		return link
	}
	if why != "" {
		return ""
	}
	return link
}

// Set sets u.URL, when empty, to the link Link returns (for a correction
// of update original when original is not ""), as the package's Set does:
// u.ID, when empty, is derived first, without the link. When Link returns
// "", u is left as it is.
func (p *Page) Set(ctx context.Context, r Reader, u *broadcast.Update, original string) {
	if u.URL != "" {
		return
	}
	if link := p.Link(ctx, r, *u, original); link != "" {
		Set(u, func(string) string { return link })
	}
}
