package statuspageio

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Receipt.Meta keys: every receipt names its incident and its incident
// update.
const (
	// MetaIncidentID is the id of the incident the update belongs to.
	MetaIncidentID = "incident_id"
	// MetaUpdateID is the id of the incident update the update became.
	MetaUpdateID = "incident_update_id"
	// MetaUnknownComponents, when set, names the Update's components the
	// page does not have: the update was posted without them, their
	// statuses not set.
	MetaUnknownComponents = "unknown_components"
)

// A retry looks for what an earlier attempt may have made, created since
// the update was written (less writtenSkew) and no earlier than
// dedupWindow ago; an incident carrying the update's key is found whenever
// it was made. A newer update looks for the incident an earlier update's
// create with an unknown outcome made, created since that create was sent
// (less clockSkew) and no earlier than dedupWindow ago, which is also how
// long the channel remembers such a create.
const (
	dedupWindow = 30 * time.Minute
	// clockSkew is how far Statuspage's clock may be behind this one's.
	clockSkew = time.Minute
	// writtenSkew is how much earlier than an update's Time its first
	// attempt may have reached Statuspage: the Broadcaster accepts a Time
	// up to 5 minutes ahead of this machine's clock, and Statuspage's
	// clock may differ from it.
	writtenSkew = 10 * time.Minute
)

// create creates the incident of f, the incident's first update. A retry,
// and an update of an incident whose creation may have reached Statuspage
// without the channel learning of it (see unknownCreates), first look for
// the incident an earlier attempt made, whose answer may have been lost.
func (c *Channel) create(ctx context.Context, m broadcast.Message, f incidentFields) (broadcast.Receipt, error) {
	if f.Status.Maintenance() {
		f.ScheduledFor, f.ScheduledUntil = window(m.Update, c.s.window)
		f.manual = &manual{} // all off
	}
	f.Metadata = &metadata{}
	f.Metadata.Outagecast.Key = m.Key("")
	f.Metadata.Outagecast.Incident = m.Update.IncidentID
	incidentID := m.Update.IncidentID
	earlier, unknown := c.s.unknown.get(incidentID, c.s.now())
	if m.Attempt > 1 || unknown {
		r, found, err := c.findEarlier(ctx, m, f, earlier, unknown)
		if err != nil || found {
			return r, err
		}
		c.s.unknown.forget(incidentID) // nothing was made
	}
	sent := c.s.now()
	var inc incident
	if err := c.do(ctx, http.MethodPost, "/incidents", incidentRequest{f}, &inc); err != nil {
		if outcomeUnknown(err) {
			c.s.unknown.add(incidentID, attemptOf(f), sent, c.s.now())
		}
		return broadcast.Receipt{}, c.fail("create incident", err)
	}
	return c.receipt(inc, inc.first(), true), nil
}

// findEarlier looks for what an earlier attempt made: the incident f
// created (a retry's), or one an earlier update of the incident created,
// whose answer was lost (earlier, when known, says what it sent), to
// which it then adds f as an incident update. Its errors are failed.
func (c *Channel) findEarlier(ctx context.Context, m broadcast.Message, f incidentFields, earlier unknownCreate,
	known bool) (broadcast.Receipt, bool, error) {
	var paths []string
	if m.Attempt > 1 {
		paths = append(paths, lookupPath(f.Status, f.Name))
	}
	for _, a := range earlier.tried {
		if p := lookupPath(a.status, a.name); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	var list []incident
	for _, p := range paths {
		var page []incident
		if err := c.do(ctx, http.MethodGet, p, nil, &page); err != nil {
			return broadcast.Receipt{}, false, c.fail("look for the incident of an earlier attempt", err)
		}
		for _, inc := range page {
			if !slices.ContainsFunc(list, func(i incident) bool { return i.ID == inc.ID }) {
				list = append(list, inc)
			}
		}
	}
	for _, inc := range list {
		if inc.createdBy(f, c.since(m.Update)) {
			c.s.unknown.forget(m.Update.IncidentID)
			return c.receipt(inc, inc.first(), true), true, nil
		}
	}
	now := c.s.now()
	lower := now.Add(-dedupWindow)
	if t := earlier.at.Add(-clockSkew); known && t.After(lower) {
		lower = t
	}
	for _, inc := range list {
		if !inc.sameIncident(m.Update.IncidentID, f, earlier, lower) {
			continue
		}
		if upd, ok := inc.posted(f, c.since(m.Update), nil); ok && m.Attempt > 1 && !blank(f) {
			return c.receipt(inc, upd, false), true, nil
		}
		r, err := c.adopt(ctx, m.Update.IncidentID, inc.ID, f, m.Key(""))
		if isStatus(err, http.StatusNotFound) {
			break // deleted meanwhile: create it anew
		}
		return r, err == nil, err
	}
	return broadcast.Receipt{}, false, nil
}

// adopt adds f, the first update of the incident it names that the channel
// posts, to the incident id an earlier update of it created, as an
// incident update; key is the update's Message.Key (see patch). Its
// errors are failed.
func (c *Channel) adopt(ctx context.Context, incidentID, id string, f incidentFields, key string) (broadcast.Receipt, error) {
	f.Metadata, f.ScheduledFor, f.ScheduledUntil = nil, time.Time{}, time.Time{} // the incident's own stay
	sent := c.s.now()
	inc, upd, op, err := c.patch(ctx, id, f, nil, blank(f), key)
	switch {
	case isStatus(err, http.StatusNotFound):
		return broadcast.Receipt{}, err
	case err != nil:
		if outcomeUnknown(err) {
			c.s.unknown.add(incidentID, attemptOf(f), sent, c.s.now())
		}
		return broadcast.Receipt{}, c.fail(op, err)
	}
	c.s.unknown.forget(incidentID)
	return c.receipt(inc, upd, false), nil
}

// addUpdate adds f to the incident id as a new incident update. A retry
// first looks in the incident for the update an earlier attempt made,
// unless patch reads the incident first (f has no body text, and the
// thread's last receipt names no incident update): sent again, it makes
// no second one, and patch takes the one an earlier attempt whose outcome
// is unknown made (see lostPatches).
func (c *Channel) addUpdate(ctx context.Context, m broadcast.Message, id string, f incidentFields) (broadcast.Receipt, error) {
	readFirst := blank(f) && m.Thread.Last.Meta[MetaUpdateID] == ""
	if m.Attempt > 1 && !readFirst {
		var inc incident
		if err := c.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, &inc); err != nil {
			return broadcast.Receipt{}, c.fail("get incident", incidentGone("get incident", id, err))
		}
		if upd, ok := inc.posted(f, c.since(m.Update), earlier(m.Thread)); ok {
			return c.receipt(inc, upd, false), nil
		}
	}
	inc, upd, op, err := c.patch(ctx, id, f, earlier(m.Thread), readFirst, m.Key(""))
	if err != nil {
		return broadcast.Receipt{}, c.fail(op, incidentGone(op, id, err))
	}
	return c.receipt(inc, upd, false), nil
}

// patch adds f to the incident id as a new incident update, and returns
// the incident and the update made: zero when Statuspage made none (a
// request with no body text that leaves the status), never an update
// made before the request (see incident.made), nor one of the incident
// updates earlier names. With readFirst, for f without body text (which
// makes an update only when it changes the status) whose earlier names
// not the incident's latest update (the thread's last update made none,
// or there is no thread), it gets the incident first and takes none of
// the updates it lists then: one made within the clocks' skew before the
// request, with the same status and no body text, would be taken for the
// request's, and a correction would replace its text. When such a
// request of the update key (its Message.Key) had an unknown outcome,
// the channel remembers what the incident listed before it (see
// lostPatches), and patch takes, without sending f again, the update
// with f's status and body made since that request that the incident did
// not list then. Its errors are not failed: op names the request that
// failed.
func (c *Channel) patch(ctx context.Context, id string, f incidentFields, earlier []string,
	readFirst bool, key string) (incident, incidentUpdate, string, error) {
	var inc incident
	var seen []string
	if readFirst {
		if err := c.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, &inc); err != nil {
			return incident{}, incidentUpdate{}, "get incident", err
		}
		if lost, ok := c.s.lost.get(key, id, c.s.now()); ok {
			before := append(slices.Clone(earlier), lost.seen...)
			if upd, ok := inc.posted(f, lost.at.Add(-clockSkew), before); ok {
				c.s.lost.forget(key)
				return inc, upd, "", nil
			}
		}
		for _, u := range inc.Updates {
			seen = append(seen, u.ID)
		}
		earlier = append(slices.Clone(earlier), seen...)
		inc = incident{}
	}
	sent := c.s.now()
	if err := c.do(ctx, http.MethodPatch, "/incidents/"+url.PathEscape(id), incidentRequest{f}, &inc); err != nil {
		if readFirst && outcomeUnknown(err) {
			c.s.lost.add(key, id, seen, sent, c.s.now())
		}
		return incident{}, incidentUpdate{}, "update incident", err
	}
	c.s.lost.forget(key)
	upd, _ := inc.made(f, sent.Add(-clockSkew), earlier)
	return inc, upd, "", nil
}

// blank reports whether f has no body text: Statuspage makes an incident
// update of it only when it changes the incident's status.
func blank(f incidentFields) bool { return normText(f.Body) == "" }

// earlier names the incident updates of t's receipts, which are older
// than any update posted in t.
func earlier(t broadcast.Thread) []string {
	var ids []string
	for _, r := range []broadcast.Receipt{t.Root, t.Last} {
		if id := r.Meta[MetaUpdateID]; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// incidentGone says what the API's 404 for the incident id means, the
// incident deleted in the dashboard, and what follows: the bare "could
// not be found" reads as a wrong key or page. op is the request's, as
// Channel.fail names it.
func incidentGone(op, id string, err error) error {
	if !isStatus(err, http.StatusNotFound) {
		return err
	}
	return &goneError{op: op, id: id, err: err}
}

// goneError is the API's 404 for a request to the incident id (see
// incidentGone), which names it.
type goneError struct {
	op, id string
	err    error // the API's refusal, marked
	// unsure is what a read of the incident found when the 404 may be of
	// a component id instead, and did not show the incident gone (see
	// goneForSure); "": the 404 is the incident's.
	unsure string
}

func (e *goneError) Error() string {
	if e.unsure != "" {
		return fmt.Sprintf("%v; %s", e.err, e.unsure)
	}
	return fmt.Sprintf("%v; incident %s is not on the page (deleted in the dashboard?): its later updates "+
		"are not posted, a correction is, as a new incident", e.err, e.id)
}

func (e *goneError) Unwrap() error { return e.err }

// goneForSure reports whether err, a refusal with 404 that may be one of
// stale component ids (see staleIDs), is the API's refusal of a request to
// an incident that is gone: a read of the incident answers 404 too. The
// API reference answers a 404 ErrorEntity for an incident it does not
// have (https://developer.statuspage.io/#operation/getPagesPageIdIncidentsIncidentId).
// When it is not, told is err saying what the read found instead of the
// incident gone: the incident on the page, or the read failing, which
// leaves it not known whether the 404 was the incident's or a component
// id's; err itself when it is no refusal of a request to an incident.
func (c *Channel) goneForSure(ctx context.Context, err error) (gone bool, told error) {
	var g *goneError
	if !errors.As(err, &g) {
		return false, err
	}
	rerr := c.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(g.id), nil, &incident{})
	found := *g
	switch {
	case isStatus(rerr, http.StatusNotFound):
		return true, err
	case rerr == nil:
		found.unsure = fmt.Sprintf("incident %s is on the page: the 404 may be of a component id deleted since the list was read", g.id)
	default:
		found.unsure = fmt.Sprintf("whether incident %s or a component id is not on the page is not known: reading the incident failed: %v",
			g.id, rerr)
	}
	return false, c.fail(g.op, &found)
}

// since is the earliest time an earlier attempt at u can have reached
// Statuspage, for matching by content.
func (c *Channel) since(u broadcast.Update) time.Time {
	now := c.s.now()
	lower := now.Add(-dedupWindow)
	if t := u.Time.Add(-writtenSkew); t.After(lower) && !u.Time.After(now) {
		lower = t
	}
	return lower
}

// receipt is the receipt of the incident update upd of inc: its ID is the
// incident's id for the incident's first update (the thread's root), the
// incident update's id for a later one.
func (c *Channel) receipt(inc incident, upd incidentUpdate, first bool) broadcast.Receipt {
	r := broadcast.Receipt{Channel: c.name, ID: upd.ID, URL: inc.Shortlink, Time: c.s.now().UTC(),
		Meta: map[string]string{MetaIncidentID: inc.ID}}
	if upd.ID != "" {
		r.Meta[MetaUpdateID] = upd.ID
	}
	if first {
		r.ID = inc.ID
	}
	return r
}

// first returns the incident's first update, the one that created it.
func (inc incident) first() incidentUpdate {
	if len(inc.Updates) == 0 {
		return incidentUpdate{}
	}
	return slices.MinFunc(inc.Updates, older)
}

// incidentOf returns the incident a thread's root receipt names, "" for
// none.
func incidentOf(root broadcast.Receipt) string {
	if id := root.Meta[MetaIncidentID]; id != "" {
		return id
	}
	return root.ID
}

// Edit replaces the body of the incident update prev with m's update,
// rendered as a correction. The incident's status, impact and components
// are left as they are.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("statuspageio: edit: %w", err)
	}
	if err := m.Validate(); err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("statuspageio: edit: %w", err))
	}
	inc, upd := prev.Meta[MetaIncidentID], prev.Meta[MetaUpdateID]
	switch {
	case inc != "" && upd == "" && prev.ID == "":
		// Statuspage made no incident update of it: the Broadcaster
		// posts the correction anew.
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("statuspageio: edit: %w: "+
			"the update made no incident update (no body text, and the status unchanged)", broadcast.ErrNotEditable))
	case inc == "" || upd == "":
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("statuspageio: edit: the receipt names no incident update"))
	}
	body, err := c.render(m.Update.WithDefaults(c.s.now().UTC()))
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("statuspageio: render: %w", err))
	}
	var req editRequest
	req.IncidentUpdate.Body = body
	if !c.s.notify {
		req.IncidentUpdate.DeliverNotifications = new(bool) // false: SkipNotifications holds for edits too
	}
	path := "/incidents/" + url.PathEscape(inc) + "/incident_updates/" + url.PathEscape(upd)
	if err := c.do(ctx, http.MethodPatch, path, req, &incidentUpdate{}); err != nil {
		if isStatus(err, http.StatusNotFound) {
			// Deleted in the dashboard: the Broadcaster posts the
			// correction anew.
			err = fmt.Errorf("%w: %w", broadcast.ErrPostGone, err)
		}
		return broadcast.Receipt{}, c.fail("edit incident update", err)
	}
	return broadcast.Receipt{Channel: c.name, ID: prev.ID, URL: prev.URL, Time: c.s.now().UTC(),
		Meta: maps.Clone(prev.Meta)}, nil
}

// Retract deletes the incident when prev is its first update; an incident
// already gone is not an error. A later update cannot be deleted alone:
// the error wraps broadcast.ErrNotSupported and is permanent.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statuspageio: retract: %w", err)
	}
	id := prev.Meta[MetaIncidentID]
	switch {
	case id == "":
		return broadcast.Permanent(errors.New("statuspageio: retract: the receipt names no incident"))
	case prev.ID != id:
		return c.retractLater(ctx, id, prev.Meta[MetaUpdateID])
	}
	err := c.do(ctx, http.MethodDelete, "/incidents/"+url.PathEscape(id), nil, &incident{})
	if err == nil || isStatus(err, http.StatusNotFound) {
		return nil
	}
	return c.fail("delete incident", err)
}

// retractLater is Retract of the later update upd of the incident id,
// which the API cannot delete alone: it counts as deleted only when the
// incident is gone, or the incident no longer lists it (deleted in the
// dashboard).
func (c *Channel) retractLater(ctx context.Context, id, upd string) error {
	var inc incident
	err := c.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, &inc)
	switch {
	case isStatus(err, http.StatusNotFound):
		return nil
	case err != nil:
		return c.fail("retract: get incident", err)
	case upd != "" && len(inc.Updates) > 0 && // an incident has one at least: none listed says nothing
		!slices.ContainsFunc(inc.Updates, func(u incidentUpdate) bool { return u.ID == upd }):
		return nil
	}
	return broadcast.Permanent(fmt.Errorf("statuspageio: retract: %w: the API deletes whole incidents only, "+
		"and this is a later update of its incident; correct it instead, or delete it in the Statuspage dashboard",
		broadcast.ErrNotSupported))
}
