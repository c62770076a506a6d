// Package pagelink finds the status page among a configuration's channels
// (kind statuspage), so that an update given without a link links to its
// incident's page there on every channel, the same way in every example
// program.
package pagelink

import (
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
