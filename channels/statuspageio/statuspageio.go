// Package statuspageio is a broadcast.Channel that posts incident updates
// to a page hosted by Atlassian Statuspage, through its REST API v1
// (https://api.statuspage.io/v1/pages/{page_id}, "Authorization: OAuth
// <api key>").
//
// The first update of an incident creates a Statuspage incident (POST
// /incidents); each later update is an incident update of it (PATCH
// /incidents/{incident_id}), which sets the incident's name, status,
// impact override, body and component statuses anew. The Update maps onto
// the incident one to one: Title is the incident's name (on one line),
// Status its status, Impact its impact_override (left out when empty),
// Components its component_ids and component statuses. The body of the
// incident update is the "statuspageio" template (DefaultTemplate): a
// "Correction:" line for a correction, the advice, the body, the next
// update and the link; Statuspage shows the name, the status and the
// affected components beside it. Update.Overrides[name] replaces the body.
// Subscribers are notified of each update (deliver_notifications) unless
// Config.SkipNotifications is set, which an Edit (see below) then tells
// the API too. The text is sent as written, as plain
// text: the API reference documents the name and body as text, and the
// channel adds no markup to escape.
//
// Components are named in the Update as on the page. The channel reads
// the page's components (GET /components, every page of them) on the first
// update that names one, keeps the names and ids, and reads the list again
// once when an update names one it does not know, or when the API refuses
// an update with ids it kept (a component deleted on the page since, or
// made anew under its name): the update is then posted again, in the same
// attempt, with the ids the page has now. Names match exactly,
// else ignoring case and runs of white space ("data  base" is "Data
// base"); component groups are not components. A name the page
// does not have (a typo, a component renamed) does not keep the incident
// off the page: the update is posted with the components the page has,
// and the Receipt's Meta[MetaUnknownComponents] names the missing ones,
// whose statuses were not set (the body still lists them, as the template
// writes them). A name that several components have is a permanent error
// naming it, and nothing is posted: the channel cannot tell which is
// meant. The channel sets only the statuses the
// Update gives: Statuspage does not turn components operational when an
// incident is resolved, so list them as operational in the resolving
// update to turn the page green.
//
// Statuses of scheduled maintenance (scheduled, in_progress, verifying,
// completed) make a scheduled incident. An Update has no maintenance
// window, so the channel makes one when it creates the incident: it starts
// at Update.NextUpdate for a scheduled maintenance (set NextUpdate to the
// start: the next update is when it starts) when that is after Update.Time,
// else at Update.Time, and lasts Config.MaintenanceWindow (1h by default;
// cut at the start of the year 0 and the end of 9999, which RFC 3339
// cannot write past);
// a maintenance first announced as completed ends at Update.Time. Later
// updates do not move the window. The channel turns off, in the request
// that creates the incident, Statuspage's automatic transitions (of the
// incident and of its components), their notifications, the reminder and
// the tweets: outagecast sends each transition itself, and both would
// post it twice. Change a window in the dashboard.
//
// The receipt of an incident's first update has the incident's id as ID
// and its shortlink as URL; a later update's receipt has the incident
// update's id as ID and the same URL. Meta always names both, as
// MetaIncidentID and MetaUpdateID, but for a later update of which
// Statuspage made no incident update (no body text, the status unchanged:
// one that changes components alone), whose receipt names the incident
// only, without ID: the one taken for the request's is made since it was
// sent (less a minute of clock skew), with its status and body if one is,
// and newer than those of Message.Thread's receipts, never an earlier one,
// whose text a correction would replace; an update with no body text whose
// Thread.Last names no incident update (it made none either) gets the
// incident first, and takes none of the incident updates it lists then
// (but, on a retry, the one its earlier attempt made: see Idempotency). A
// correction of such an update is posted anew: Edit fails with
// broadcast.ErrNotEditable.
//
// # Threading
//
// The incident is the thread: every later update goes to the incident of
// Message.Thread.Root (the channel threads to Root), or to that of
// Thread.Last when it names another, one made anew after the Root's was
// deleted. When the Root was retracted (the incident deleted), the
// Broadcaster passes no Root, and the update goes to a new incident, which
// the updates after it follow. An incident deleted in the dashboard makes
// later updates fail with 404, permanently, with an error naming the
// incident and saying so: they are not posted as a new incident. A
// correction is (see below).
//
// # Corrections and retractions
//
// The channel is a broadcast.Editor: Edit replaces the body of the
// corrected update's incident update (PATCH
// /incidents/{incident_id}/incident_updates/{incident_update_id}, body
// only), rendered as a correction. The API edits the text only: the
// status, impact and component statuses the update set stay; send a new
// update to change them. An incident update deleted in the dashboard, or
// whose incident was, answers 404: Edit's error then wraps
// broadcast.ErrPostGone, and Broadcaster.Correct posts the correction
// anew, as a new incident update, or as a new incident when the incident
// is gone.
//
// It is a broadcast.Retractor for an incident's first update: Retract
// deletes the incident (DELETE /incidents/{incident_id}), with every update
// it has; an incident already gone counts as deleted. The API has no way
// to delete one incident update, so Retract of a later update gets the
// incident and, unless it is gone or no longer lists the update (deleted
// in the dashboard; either counts as deleted), fails,
// permanently, with an error wrapping broadcast.ErrNotSupported. The
// channel does not blank its body instead: its status and component
// changes would stay in force under a text that no longer says so. Correct
// it, or delete it in the dashboard.
//
// Check gets the page (GET /pages/{page_id}), which checks the key and the
// page id without posting.
//
// # Idempotency
//
// The API takes no idempotency key, so a retry after a lost answer (the
// API made the incident, the answer never arrived) could post twice. The
// channel guards against it on retries, and on a first attempt that
// follows an attempt of an earlier run (Message.Attempt > 1: a process
// that restarted between Statuspage's answer and the Store's record, a
// queued job run again after its worker died): an incident
// it creates carries the update's key (Message.Key) in its metadata
// ({"outagecast": {"key": …}}), and before creating again a retry lists the
// incidents of that status (unresolved; upcoming or active maintenance;
// for resolved and completed, those matching the name) and takes the one
// carrying the key, or, when Statuspage returns no metadata, one with the
// same name and first body created since the update was written, less
// 10 minutes (its Time may be up to 5 minutes ahead of the clock; at most
// 30 minutes ago). A retry of a later update first gets the incident and
// takes an incident update with the same status and body created since;
// one with no body text that reads the incident first (see above) is
// sent again instead, which makes no second incident update. So that the
// retry of such an update that changed the status names the incident
// update its lost request made (which the incident lists when the retry
// reads it, and which a correction then edits), the Channel remembers, in
// memory, by the update's key, for 30 minutes or until the update is
// posted, the incident updates the incident listed before a request whose
// outcome is unknown; the retry takes the one with the update's status
// and no body text made since that request that the incident did not
// list then, and sends nothing again.
//
// A newer update of the incident may come before that retry: the
// Broadcaster sends it while the first update waits to retry, and then
// stops the retry, as it never posts an older update after a newer one.
// The newer update has no receipt to thread to, and would create a second
// incident, leaving the first one as its first update left it on the page
// ("investigating") for good. So the incident's metadata also names the
// outagecast incident ({"outagecast": {"key": …, "incident": …}}), and the
// Channel remembers, in memory, the incidents whose creation failed with
// an unknown outcome (a transport error, a timeout, a 5xx, an answer cut
// off or not the API's; not a refusal, which made nothing) for 30
// minutes, or until the incident is created or a look-up finds nothing
// made. An update of such an incident with no receipt to thread to first
// looks in the lists of the statuses those creates had (a retry also in
// its own) for an incident made since that names the same outagecast
// incident (or, without metadata, has the name and first body of one of
// those creates), of the same kind (a scheduled maintenance or not), and
// adds the update to it as an incident update. Its receipt is that of a
// later update (Retract of it is refused, as above); the updates after it
// follow it to that incident, and the resolving update resolves the one
// incident.
//
// What remains: a first attempt (Attempt 1) of an update whose incident
// the Channel knows of no such create never looks, so a caller that calls
// Send itself with a new Message (NewMessage) for a failed update may post
// twice; what the Channel remembers does not survive it: a process that
// restarts between the lost answer and the newer update, or a newer update
// sent through another Channel or instance, creates a second incident
// (remembering the creates across restarts and instances would need the
// Store), as does a newer update sent more than 30 minutes after the lost
// create; a retry of an update with no body text that changed the status,
// whose request's answer was lost before a restart (or in another
// instance), names no incident update, and its correction is posted anew;
// the lists are read one page
// (100 incidents) deep; and an incident update with the same status and
// body posted by someone else in the window is taken for the channel's
// own.
//
// # Limits
//
// Statuspage's limits are an Update's: a name of at most 255 characters,
// a body of at most 25,000 (MaxBody), counted as Unicode code points; the
// templates shorten the body to fit, keeping the link whole. Preview
// reports the body's length in characters.
//
// The API allows one request a second per API key, over a rolling minute.
// The channel paces its requests with a golang.org/x/time/rate limiter at
// Config.RateLimit (one a second by default, no burst), waiting for its
// turn within the attempt's context; channels sharing a key share one
// Config.Limiter. An update makes one request, plus the component list
// when needed, a look-up on a retry or after a create whose outcome is
// unknown (see Idempotency), the incident read before an update with no
// body text (see above), the request to a deleted
// incident before a new one is made, and the request refused for a
// deleted component before it is made again (and, when such a refusal is
// a 404 and the list does not read then, a read of the incident, to tell
// whether the incident is gone).
//
// # Errors
//
// A Message no Broadcaster validated (one built by hand) that
// Message.Validate refuses (a Title over MaxName, an unknown status) fails
// at once, permanently, with its error naming the field, and nothing is
// sent; so does an Edit of one, and Preview refuses such an update too.
//
// Errors carry the API's message, as in "statuspageio: create incident:
// http status 422 Unprocessable Entity: Name can't be blank", read from
// {"error": "…"}, {"error": ["…", …]} or {"message": "…"}, or the start of
// another body. 420 and 429 are transient with broadcast.RetryAfter, the
// Retry-After header's wait, or 30s without one; 408, 425 and 5xx but 501 are
// transient; 401, 403, 404, 422 and every other refusal are permanent
// (the API's 401 ends in "(refused the credential: check Config.APIKey)").
// A redirect, or a 401, 403, 404 or 405 without the API's error body (a
// proxy's page, a BaseURL with a wrong path), is another server's answer:
// permanent, naming Config.BaseURL, and never an incident that is gone.
// So is a whole 2xx that is not the API's answer (the Incident, the
// IncidentUpdate or the Page, with its id; a captive portal's page), and
// a 2xx that quotes the API key (a relay's or a debugging proxy's echo of
// the request, none of which is kept): nothing shows the request reached
// Statuspage (a JSON 2xx so refused to a write is marked
// broadcast.Uncertain too: a relay may have passed it on, and a later
// attempt looks for what it made). Transport errors are
// transient (but for a certificate that does not verify or a port that
// does not speak TLS, permanent), and so is a body that breaks off or is longer than 8 MiB:
// the retry finds what was made (see Idempotency).
//
// No error, Receipt or printed Config or Channel holds the API key: it is
// a redact.Secret, the Channel prints as its name, and errors are redacted
// of the key in every encoding redact.Redactor knows, also when the API or
// a proxy echoes it.
//
// # URL form
//
// ParseURL reads, and Config.URL writes:
//
//	statuspageio://<api key>@<page id>[?name=<name>&notify=no&maintenance_window=2h&rate_limit=1&base_url=<url>]
//
// notify=no sets SkipNotifications; base_url points the channel at
// another API address (a test server, say).
package statuspageio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Channel posts updates to a Statuspage page. It is safe for concurrent
// use. It prints as its name only (see Format).
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by statuspageio.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, behind a pointer: fmt prints
// unexported fields raw.
type state struct {
	key     redact.Secret
	page    string // the page's API URL, base + "/pages/" + page id
	pageID  string
	notify  bool
	window  time.Duration
	limiter *rate.Limiter
	tmpl    *templates.Set
	client  httpx.Client
	rd      *redact.Redactor
	comps   *componentCache
	unknown *unknownCreates // incidents whose creation may have been made unseen
	lost    *lostPatches    // updates with no body text whose request may have been made unseen
	now     func() time.Time
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// Name returns Config.Name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// Format prints the Channel as "statuspageio.Channel(<name>)" under every
// verb.
func (c Channel) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "statuspageio.Channel(%s)", c.name)
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("statuspageio: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). Later calls fail with
// ErrClosed. It then releases the idle connections of the channel's own
// client; a client given in Config is left alone. Calling it again does
// nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// render renders the body of u's incident update. A body that shows
// nothing (templates.ErrBlank) is no error, and is "": an update that only
// changes the status or the components has none to say.
func (c *Channel) render(u broadcast.Update) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the incident update shows it on the status page"); err != nil {
		return "", broadcast.Permanent(err)
	}
	body, err := c.s.tmpl.Text(c.name, Template, u, MaxBody, templates.Runes)
	if errors.Is(err, templates.ErrBlank) {
		return "", nil
	}
	return body, err
}

// Preview returns the incident update's body as Send would post it, with
// the incident's name as Subject, measured in characters.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxBody, Unit: "characters"}
	if err := (broadcast.Message{Update: u}).Validate(); err != nil {
		// What Send refuses: a dry run must not pass it.
		return p, broadcast.Permanent(fmt.Errorf("statuspageio: %w", err))
	}
	u = u.WithDefaults(c.s.now().UTC())
	body, err := c.render(u)
	if err != nil {
		return p, fmt.Errorf("statuspageio: render: %w", err)
	}
	p.Subject, p.Text, p.Length = name(u), body, templates.Runes(body)
	return p, nil
}

// Send posts m.Update: it creates the incident when m.Thread has no Root,
// and adds an incident update to the Root's incident otherwise. See the
// package documentation.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("statuspageio: %w", err)
	}
	if err := m.Validate(); err != nil {
		// A Message built by hand: the API would refuse it (a name over
		// MaxName, an unknown status) after a round trip.
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("statuspageio: %w", err))
	}
	m.Update = m.Update.WithDefaults(c.s.now().UTC()) // Key needs the ID
	body, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("statuspageio: render: %w", err))
	}
	comps, missing, err := c.resolve(ctx, m.Update.Components, 0)
	if err != nil {
		return broadcast.Receipt{}, c.fail("resolve components", err)
	}
	r, err := c.post(ctx, m, body, comps)
	if staleIDs(err, comps) {
		// A component deleted on the page since the list was read: read
		// it again, and post with the ids the page has now. The refused
		// request made nothing.
		fresh, left, rerr := c.resolve(ctx, m.Update.Components, comps.gen)
		if rerr != nil {
			gone, told := c.goneForSure(ctx, err)
			if gone {
				// The 404 was the incident's, deleted in the dashboard,
				// not one of the ids: the refusal stands, as when the
				// list reads.
				return broadcast.Receipt{}, err
			}
			// Whether the ids were stale is not known yet: transient,
			// and the next attempt reads the list again. The refusal
			// is told (saying what the read of the incident found, if
			// one was made), not wrapped: it would make the error
			// permanent.
			return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("%v; reading the component list again to check its ids: %w",
				told, rerr))
		}
		if !slices.Equal(fresh.ids, comps.ids) {
			missing = left
			r, err = c.post(ctx, m, body, fresh)
		}
	}
	if note := unknownNote(missing); err == nil && note != "" {
		r.Meta[MetaUnknownComponents] = c.s.rd.String(note)
	}
	return r, err
}

// post creates the incident of m.Update, or adds an incident update to it,
// with comps set.
func (c *Channel) post(ctx context.Context, m broadcast.Message, body string, comps resolved) (broadcast.Receipt, error) {
	f := fields(m.Update, body, comps, c.s.notify)
	id := incidentOf(m.Thread.Root)
	if last := m.Thread.Last.Meta[MetaIncidentID]; last != "" {
		id = last // the incident made anew after the Root's was deleted
	}
	if id == "" {
		return c.create(ctx, m, f)
	}
	r, err := c.addUpdate(ctx, m, id, f)
	if isStatus(err, http.StatusNotFound) && (m.Thread.Root.IsZero() || m.Update.Corrects != "") {
		// Deleted: by Retract (the Broadcaster passes no Root), or by hand
		// under a correction, which the Broadcaster posts anew.
		return c.create(ctx, m, f)
	}
	return r, err
}

// Check gets the page, which checks the API key and the page id without
// posting anything.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statuspageio: check: %w", err)
	}
	var p pageInfo
	if err := c.do(ctx, http.MethodGet, "", nil, &p); err != nil {
		return c.fail("check page", err)
	}
	if p.ID != c.s.pageID {
		return broadcast.Permanent(errors.New("statuspageio: check page: the answer is about another page"))
	}
	return nil
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("statuspageio.Channel", "statuspageio.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
