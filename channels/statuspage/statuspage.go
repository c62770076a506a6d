// Package statuspage is a channel that keeps a complete, self-contained
// status site in a directory, ready for any static host (nginx, S3, GitHub
// Pages) to serve. Send it first: other channels link to its incident
// pages.
//
// Each Send adds the update to the page's state and writes a new version
// of the whole site:
//
//   - index.html: the overall status banner, every component with its
//     current status, the open incidents and maintenances in progress with
//     their latest IncidentPageUpdates updates (newest first, linking to
//     the older), the scheduled maintenances, and the
//     incidents resolved in the last Config.HistoryDays days (the latest
//     HistoryPageIncidents of them, saying how many more history.html
//     has).
//   - incidents/<name>.html: one page per incident, at a stable URL (see
//     IncidentURL: give it to the other channels as Update.URL), with its
//     latest IncidentPageUpdates updates, newest first, each showing the
//     components whose status it changed (UpdateData.Changed), the
//     incident's components named once above them, as on its card on
//     index.html; a long outage of
//     more goes on at incidents/<name>.2.html and so on, each page linking
//     to all of them, so that no page grows with the outage. An update's
//     feed entry links to its incident's page at the update's anchor, a
//     place that does not move when newer updates push the update to a
//     later page (which the incident's page links to).
//   - history.html: the latest HistoryPageIncidents closed incidents, by
//     the month they started, and a link to the page of every month with closed
//     incidents, history-<yyyy>-<mm>.html, which lists them, newest
//     first: MonthPageIncidents a page, a month of more going on at
//     history-<yyyy>-<mm>-2.html and so on, so that no page grows with
//     the years or with a month of a flapping alert. As on Statuspage,
//     an incident is listed by when it started, and gives the time it was
//     resolved: an edit or a correction long after does not move it.
//   - history.atom, and components/<name>.atom per component: Atom 1.0,
//     one entry per update, the latest Config.FeedEntries, in the
//     pages' language (Config.Language, their xml:lang); index.html
//     names each in a <link rel="alternate">, where feed readers find it.
//     A feed's id is its URL at the BaseURL of the page's first write,
//     kept when BaseURL changes (RFC 4287, section 4.2.6; its self link
//     follows BaseURL), as is the JSON API's page id, made from that
//     address (a page written by a version of this package that did not
//     record it keeps the BaseURL of its next write).
//     A component's feed has every update of the incidents that name the
//     component, also those updates that name it not (a resolution
//     naming none), so that its readers learn how the incident ends.
//     An entry says the update's status, title, advice, body and link,
//     and the components it affects with their statuses; its
//     atom:category elements are its status and those components. The
//     feed of all updates has every update so, and so does a component's
//     feed an update of ten components or fewer that concerns the
//     component: names it, or begins or ends its incident's giving
//     statuses (its first update, a resolution, a reopening, a
//     maintenance beginning or ending), which changes every component
//     the incident names, or a correction of it gave the component
//     another status without naming it (the wrong update said "API:
//     major outage", the correction says nothing of the API, which so
//     is operational again): the same entry in every such feed. An update
//     naming more (an outage of a whole region, in the feed of each) has
//     a short entry in a component's feed: its title, status, times and
//     link, and that component's status with how many more it affects
//     ("API (Major outage) and 299 more components"), its categories its
//     status and that component; its incident's page, which the entry
//     links to, has the rest. So has an update that does not concern
//     the component (news of one component of a region's outage, in the
//     feeds of the others), saying how many components it affects ("Affects
//     1 component."), its category its status. A component's feed holds
//     the latest ten such short entries, and the latest others up to
//     Config.FeedEntries in all: each write of such an update rewrites
//     every component's feed, which so stays small. An entry's content
//     may so differ from feed to feed; its id does not. Its updated
//     moves on in a feed only when its entry there changed (RFC 4287,
//     section 4.2.15): when another update's Send, Edit or Retract
//     makes an update begin or end its incident's giving statuses, or
//     no longer, its entry changes (short to full, or back) in the
//     feeds of the components it neither names nor gave another status,
//     and its updated moves there only, not in the feed of all updates
//     nor in those of the components it names; each feed is in the
//     order of its entries' updated. An entry's id is a tag URI of BaseURL's host name in lower case
//     ("tag:<host>,<date>:update/<ID>"), the host of the page's first
//     write, kept when BaseURL changes, so that a page moved to another
//     host does not show its readers every past update again as new (a
//     page written by a version of this package that did not record it
//     keeps the host of its next write), or, for a host that is an IP
//     address, the urn:uuid of that URI's name-based UUID (a tag URI
//     needs a DNS name). Its date is the day the update first reached
//     the page, fixed then, so that an update sent again with another
//     Time keeps its entry's id; an update published by a version of
//     this package before that keeps the id it had, of the day the page
//     was created or of its Time's date. An update ID used again after
//     the page forgot the retraction of the earlier update that had it
//     (see Corrections and retractions) gets an id of its own: when that
//     forgotten retraction's id holds the same date or a later one, the
//     date is followed by ":<n>", a number no other entry of the page
//     has.
//   - api/v2/summary.json, status.json, components.json, incidents.json,
//     incidents/unresolved.json, scheduled-maintenances.json and
//     scheduled-maintenances/{upcoming,active}.json in the shapes of
//     Atlassian Statuspage's public API, so that tools that read
//     Statuspage read this page. As Statuspage's, summary.json lists the
//     unresolved incidents and the maintenances in progress or upcoming,
//     and incidents.json and scheduled-maintenances.json the latest 50;
//     each incident carries its latest IncidentPageUpdates updates, so
//     that no file grows with the history or with a long outage; an
//     update's affected_components lists, as Statuspage's do, every
//     component it names with its status before and after, changed or
//     not, and is null when it names none. An update's updated_at is
//     when what it says last changed (written, edited or sent again), a
//     component's when its status last changed, an incident's when
//     the latest of those of its updates or a retraction of one of them
//     (Statuspage's "when the incident was updated"); none moves when
//     another update only makes the update begin or end its incident's
//     giving statuses, which changes it in some feeds only (an
//     incident's updated_at that an older version, which counted such a
//     time, published does not go back). Times
//     are in UTC to the millisecond, as Statuspage writes them
//     ("2024-04-09T18:50:21.343Z"; finer digits are cut). An
//     incident (not a maintenance) of Impact maintenance has impact none
//     there, as Statuspage's incidents have no impact maintenance; the
//     status's indicator is maintenance, as the banner says. The files
//     are JSON without white space, which readers parse the same and
//     which makes those listing an incident's updates with hundreds of
//     components two fifths smaller.
//   - favicon.svg: a dot in the colour of the overall status.
//   - overdue.js: the one script, see below.
//
// The pages need no JavaScript and load nothing from elsewhere (but
// Branding.LogoURL, when it is absolute). Their one script, overdue.js,
// changes the latest update's "Next update by <time>" of an open
// incident into "Overdue: the next update was due by <time>" once that
// time has passed, which a static page cannot do; it is a file of the
// site, not inline, so that a Content-Security-Policy of script-src
// 'self' (see Serving) allows it. (A replaced update template
// keeps it working with a <span class="next-update" data-pending> around
// the words and the <time>; the span's data-overdue, if any, gives the
// words that replace them, in the page's language.) They are readable on a phone,
// follow the reader's dark mode (prefers-color-scheme), run right to left
// for a Config.Language written so (dir="rtl", the arrows of their links
// pointing that way: SiteData.Back and Forward), show each text of an
// update (title, body, advice, component names) in its own direction,
// isolated from the page's (<bdi>, dir="auto"), so that an English
// sentence on an Arabic page does not end with its full stop at its
// start, nor the reverse, show times in UTC
// in <time datetime> elements and meet the WCAG 2.1 AA contrast ratio
// (New checks every pair of colours the page shows together).
//
// A component's current status is the worst that an open incident, or a
// maintenance in progress, gave it in its latest update naming it (see
// Corrections and retractions for a correction of an earlier update);
// operational otherwise. Names that differ only in case or spacing ("API",
// "api") are one component, shown under the name Config.Components gives
// it, else under that of the first update to name it; updates written
// before Config.Components listed it take that name from the next write
// on (Rebuild, after a change of Components). The banner takes
// the worst component status,
// and while any incident is open it names the incident and never says
// "All systems operational", even when no component was marked.
//
// # Serving
//
// Serve Config.Dir/current (Channel.Root). It is a symbolic link to the
// latest complete version: nginx (root /srv/status/current;), Caddy and
// http.FileServer follow it per request. To upload to S3 or another host,
// copy the version it points at (aws s3 sync follows links; with rsync,
// use -L or copy the resolved path). The previous version is kept until
// the next write starts, for readers that resolved the link just before a
// swap.
//
// Serve every file with "Cache-Control: no-cache" (nginx: add_header
// Cache-Control no-cache;), or a max-age of a minute at most: without it,
// browsers and CDNs may keep a page for a tenth of its age (RFC 9111,
// section 4.2.2), so that a reader who looked before the outage keeps
// seeing "All systems operational" for hours. Revalidating is cheap: a
// file that did not change keeps its modification time, and one that
// changed gets the time of its version, at least a second after the one
// it replaces, so that If-Modified-Since, which counts whole seconds,
// never takes a new page written within the second for the old one. No
// file is served with a time ahead of the clock, which would make the
// server send a Last-Modified later than its Date (RFC 9110, section
// 8.8.2.1, forbids it; caches reason wrongly from it): a write within the
// second of the one before waits out the rest of that second before its
// version is made current, so that a burst of updates is published at
// most one a second, each Send waiting up to a second (and failing with
// ctx's error, changing nothing, when ctx ends meanwhile). Only when the
// clock stepped back, behind the times of the files it replaces, does a
// changed file get a time ahead of it: a second past the replaced one's,
// without a wait.
//
// Serve them with a Content-Security-Policy too (nginx: add_header
// Content-Security-Policy "…";), as examples/statuspage does:
// "default-src 'none'; script-src 'self'; style-src 'unsafe-inline';
// img-src 'self'; base-uri 'none'; form-action 'none'", with an absolute
// Branding.LogoURL's origin added to img-src. The pages load nothing
// else, and the policy keeps a script or a form that a replaced template
// lets in from running or sending anything.
//
// # Threading
//
// The incident page is the thread: the page groups updates by
// Update.IncidentID from its own state, so Send ignores Message.Thread.
// The Receipt's URL is the incident page; its ID is the update's ID.
//
// # Corrections and retractions
//
// The page can be changed in place. Edit (Broadcaster.Correct) replaces
// the content of the corrected update where it stands, marked "Edited";
// its Atom entry keeps its id, gets a new updated time and says when it
// was edited. A correction added as an update of its own (Update.Corrects
// set, the corrected update not on the page) is tagged "Correction" on
// the page, and its Atom entry's title and status read "Correction: ",
// as the other channels' default templates write it. It stays one when
// it is corrected in turn, in place.
//
// Such a correction is listed by its Time among the updates, which for
// one made by Broadcaster.Correct is the time of Correct: the newest.
// When it corrects an update older than the incident's latest
// (broadcast.Message.Current is false), it says what that update should
// have said, not where the incident stands now: the incident's status
// (open or resolved, on the pages, in the banner and the JSON), title,
// resolution, "Next update by" and the status it gives its components
// and its impact come from its latest update that is no such correction,
// and the correction gives a component a status, or the incident an
// impact, only where no other update does. A correction of a resolved
// incident's "investigating" update does not open it again. An incident
// starts at its first update that is no correction: a backdated update
// moves its start, and the day and month it is listed under, earlier; a
// correction, whatever its Time, does not.
//
// Retract removes the update from the pages and the JSON; an incident
// left without updates disappears with its page, and a component that no
// update on the page names any more (and Config.Components does not
// list) leaves the list of components, as one an edit renamed does.
// Feed readers keep the
// entries they fetched, so the feeds that held the update keep its entry
// for 30 days, under the same id, updated at the retraction, titled
// "Retracted: the update of <time>" and saying it was withdrawn, with
// nothing of what it said: readers that update an entry whose updated
// changes (Miniflux and FreshRSS do) replace the wrong update with that
// notice. Each such feed also carries an RFC 6721 at:deleted-entry
// tombstone of it, for the readers that honour them. After 30 days both
// leave the feeds and the state. The updated time of the feeds that held
// the update becomes the retraction's (a feed's updated never goes back),
// as the updated time of a component's feed becomes an edit's when the
// edit takes the component off the incident. An update retracted and
// sent again (to the Channel: a Broadcaster skips an update it
// delivered) is an update like any other on the pages, and its entry is
// the update's again, under the same id, updated when it was sent again
// (as the JSON's updated_at), past the retraction's notice that readers
// hold.
//
// Sending an update whose ID is on the page already, or was edited in,
// changes nothing. Edit takes a correction with an ID of its own or with
// the ID of the update it corrects (a copy of that update with the text
// fixed); the same correction edited in again changes nothing. A
// correction whose ID is that of another update on the page (or of a
// correction edited into another) fails for good, naming the ID, and
// changes nothing. Edit of an update that is no longer on the page adds
// the correction as a new update.
//
// # Atomic writes and concurrency
//
// Every write makes a whole new version beside the current one and swaps
// it in with one rename(2), so a reader or a crash never sees a
// half-written site: the directory always holds the complete old or new
// site. Files that did not change are hard links to the previous
// version's (copies where the file system has no hard links), files of
// a version with the same bytes are one file (the JSON API's lists of
// incidents and of unresolved ones while every incident listed is
// open), and the version before the previous one, no longer served, is
// made into the new one by replacing only what differs, so one update
// writes little more than the front page, the JSON, the feed of all
// updates and those of the components its incident names, whatever the
// history and the number of components: a file this process wrote into
// the previous version and that did not change is linked without being
// rendered or read again. The state lives in the directory with the
// site, so the page survives restarts and Rebuild renders it again
// (after a change of Branding, say).
//
// Do not edit the files by hand: change the page with Edit, Retract or
// the templates and Rebuild. A file that was edited since it was written
// (in place, which shows in every version linked to it, or replaced) is
// written again by the next write, never linked into the new version,
// whichever Channel (this process, another, or after a restart) makes
// it: each version records the inode number, size and modification time
// of its files in Dir/versions/<n>/files.json, beside the site and so
// never served, and a file is linked unread only while it is as
// recorded. A version whose record is missing, damaged or another
// version's has all its files written again by the next write; so has,
// once, one that a Channel wrote on a system without inode numbers
// (Windows, Plan 9), unless that Channel writes the next version too.
//
// Sends in one process are serialized by the Channel; Channels of
// several processes on one directory take an exclusive flock(2) on
// Dir/.lock, which the kernel releases when a process dies. No update is
// lost either way. The files and directories are made with modes 0666
// and 0777 less the process's umask: with 022, the usual one, the web
// server's user reads the site and only the writer's user writes it;
// processes of several users of one group write one directory when each
// runs with a umask of 002. Give every Channel writing one directory
// the same Config but for Name (BaseURL, Components, Branding, Language,
// Templates, the sizes): each write renders with its own, and names each
// component as its Config.Components spells it, so Channels whose lists
// spell one component apart ("API", "api") rename it back and forth,
// retracting its feed entries under the other name each time.
//
// # Templates
//
// The HTML comes from html/template templates, each overridable by name:
// put "<name>.tmpl" files in Config.Templates. The pages are index,
// incident (each page of an incident's updates, with PageData.Part and
// Parts set) and history (history.html and the month pages, which have
// PageData.Month, Part and Parts set: a replaced history template titles
// them with PageData.Heading, or words its own heading from those); they
// call head, style, header, footer, banner,
// incident-card, incident-components, update and past, any of which can
// be replaced alone (to add a logo row, restyle, or translate). Dot is a
// PageData in all but update (an UpdateData), incident-card,
// incident-components and past (an IncidentData).
// Functions: time t (a <time> element, "14 Mar 2025 09:26 UTC"), date t
// layout (t in UTC), text s [url] (plain text as escaped paragraphs with
// links, each ending where a sentence's punctuation ends it, but url, the
// update's URL, linked whole where s shows it: {{text .Body .URL}}),
// excerpt s [url…] (the first line that shows something, cut at 200
// characters, each url, the update's URL, kept whole where it shows it,
// as text links it: the past template's {{excerpt $u.Body $u.URL .URL}}
// for its update $u, whose URL is "" where it is the incident's page's,
// .URL), css colour (a palette colour for the style sheet),
// isRelative url. Templates are parsed and run on a sample site in New.
//
// # Limits
//
// Incident pages are named after Update.IncidentID when it is lower-case
// letters, digits and inner dashes of at most 64 bytes, and after a slug
// of it and a hash otherwise. The site is static: what depends on the time
// (the days of history shown, a maintenance becoming due) changes when the
// page is next written, but for overdue.js's wording of a promise passed.
// A maintenance's planned start is the NextUpdate of
// its "scheduled" update. The feeds hold the latest Config.FeedEntries
// updates (retracted ones included, while they are kept), and
// incidents.json the latest 50 incidents, each with its latest
// IncidentPageUpdates updates. A feed reader that first polls
// more than 30 days after a retraction keeps the wrong update it fetched.
// An edit or retraction of an update dated in the last second of the
// year 9999 keeps that second as its entry's updated (no later one has
// an RFC 3339 form), so feed readers that hold the entry may miss it.
//
// Writes between processes are serialized by flock(2) on Linux, the BSDs,
// macOS, Solaris and illumos. It is advisory, works between processes of
// one machine, and over NFS only where the kernel maps it to NFS locks
// (Linux does); on other systems (Windows, Plan 9) only one process may
// write a directory. Writes are fsynced before the swap, so the swap
// survives a power loss where the file system orders renames after data.
//
// # URL form
//
// A channel URL (see ParseURL) names the directory and the base URL, and
// optionally the name, title, components, history and feed sizes and
// language:
//
//	statuspage:status-site?base_url=https%3A%2F%2Fstatus.example.com%2F&components=API,CDN
//	statuspage:///srv/status?base_url=…&title=Example%20Status
//
// Component names are separated by commas; a backslash escapes a comma
// (or a backslash) within a name, as "Storage\, EU". Branding beyond the
// title, component descriptions and templates need the full form. A
// statuspage URL holds no secret.
//
// # Errors
//
// New fails on a bad Config, naming the field; it does no I/O on Dir.
// Send, Edit and Retract fail with ctx's error (wrapped) when ctx ends
// before the new version is current, and then change nothing. Failures
// that retrying cannot fix are marked broadcast.Permanent: no permission,
// a read-only file system, a Dir (or part of its path) that is not a
// directory or is a symbolic link to nothing, a Dir the file system will
// not make though its parent is there (under /proc), a path no system
// takes (a NUL byte), a Dir/current that this package did not make, or
// that was removed while Dir/versions holds versions of the page past the
// first (starting an empty page would remove them; the error names the
// version to link again), state files
// that cannot be read or hold what this package never writes (a null
// record, a component's feed named as a path), an invalid update, a
// replaced template that fails on the page (New runs the templates on a
// sample site, which cannot show every case: an error of index, or of a
// field that a page of the site lacks). Others are transient: a full
// disk, an I/O error, and another process holding the lock for longer
// than Config.LockTimeout.
package statuspage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/templates"
)

// Channel writes a status site. It is safe for concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by statuspage.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	s     settings
	theme *theme
	now   func() time.Time
	// clock gives the site's files their modification times, and waits
	// for it to reach them (see writer.after).
	clock clock
	// hook is called at each step of a write, and of Check's read of
	// the current version; tests crash or write there.
	hook func(step string)
	// sem holds the one token of the right to read and write the
	// directory in this process; waiting for it honours ctx.
	sem chan struct{}

	// Guarded by sem.
	cache   *state
	last    *lastWrite      // what the latest write changed; nil if unknown
	written *writtenFiles   // the files of the latest write; nil if unknown
	memos   map[string]memo // files rendered last, by path
	feeds   *feedCache      // the feed entries the last write rendered; nil if none
	stats   writeStats      // of the last write
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
)

// New returns a Channel for cfg. It validates cfg, parses the templates
// and renders them once on a sample site; it does no I/O on Dir. A text
// of cfg (Name, Branding.Title, a component's Name or Description, a
// link's Text) that is not UTF-8, or holds a control character (a
// Description may hold line breaks) or a Unicode noncharacter, is
// refused, naming the field: the HTML and the feeds may not carry them.
// The error names every fault of cfg, a line each (errors.Join); the
// templates are parsed and tried once the other fields are accepted.
func New(cfg Config) (*Channel, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	th, err := newTheme(&s, cfg.Templates)
	if err != nil {
		return nil, err
	}
	return &Channel{
		s: s, theme: th, sem: make(chan struct{}, 1), hook: func(string) {}, memos: map[string]memo{}, clock: newClock(),
		now: func() time.Time { return time.Now().UTC().Round(0) },
	}, nil
}

// Name returns the channel's name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.s.name
}

// String describes the channel for logs.
func (c *Channel) String() string {
	if c == nil {
		return "statuspage.Channel(not made)"
	}
	return fmt.Sprintf("statuspage.Channel{Name: %q, Dir: %q, BaseURL: %q}", c.s.name, c.s.dir, c.s.base)
}

// GoString is String, so that %#v does not dump the templates.
func (c *Channel) GoString() string {
	if c == nil {
		return "statuspage.Channel(not made)"
	}
	return c.String()
}

// Root returns the directory to serve: Config.Dir/current.
func (c *Channel) Root() string {
	if !c.made() {
		return ""
	}
	return filepath.Join(c.s.dir, currentName)
}

// IncidentURL returns the stable URL of the page of u's incident, the same
// before and after the Send: set it as u.URL so that every channel links
// to the page. An empty u.IncidentID is derived from u.Title, as
// broadcast.Update.WithDefaults does.
func (c *Channel) IncidentURL(u broadcast.Update) string {
	if !c.made() {
		return ""
	}
	return c.s.base.String() + pagePath(pageName(u.WithDefaults(time.Time{}).IncidentID))
}

// Send adds the update to the page and publishes the new site, in one
// attempt. Sending an update whose ID is on the page already changes
// nothing. See the package doc for its errors.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("statuspage: send: %w", err)
	}
	u, err := c.prepare(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	incident, entryID := u.IncidentID, u.ID
	e := c.entry(u)
	e.Stale = !m.Current()
	err = c.change(ctx, func(st *state) (bool, []string, error) {
		id, added, err := st.add(u.IncidentID, c.canonical(st, e), c.now().UTC())
		incident, entryID = id, st.entryID(u.ID)
		return added, []string{id}, err
	})
	if err != nil {
		return broadcast.Receipt{}, err
	}
	return c.receipt(entryID, incident), nil
}

// Edit replaces the update prev (this channel's receipt of it) with the
// correction m.Update, in place, and publishes the new site. The
// correction may have an ID of its own or keep prev's; an edit made
// already (the same correction again) changes nothing. One whose ID is
// another update's on the page fails for good (broadcast.Permanent),
// naming the ID. When prev is no longer on the page, the correction is
// added as a new update.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("statuspage: edit: %w", err)
	}
	id := cmp.Or(prev.ID, prev.UpdateID)
	if id == "" {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("statuspage: edit: the receipt names no update"))
	}
	u, err := c.prepare(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	var incident string
	err = c.change(ctx, func(st *state) (bool, []string, error) {
		in, found, changed, err := st.edit(id, c.canonical(st, c.entry(u)), c.now().UTC())
		if found {
			incident = in
			return changed, []string{in}, err
		}
		e := c.canonical(st, c.entry(u))
		e.Stale = !m.Current()
		in, added, err := st.add(u.IncidentID, e, c.now().UTC())
		incident, id = in, u.ID
		return added, []string{in}, err
	})
	if err != nil {
		return broadcast.Receipt{}, err
	}
	return c.receipt(id, incident), nil
}

// Retract removes the update prev (this channel's receipt of it) from the
// page and publishes the new site; an incident left without updates
// disappears. The feeds say it was retracted for a while (see the package
// doc). An update no longer on the page counts as removed.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statuspage: retract: %w", err)
	}
	id := cmp.Or(prev.ID, prev.UpdateID)
	if id == "" {
		return broadcast.Permanent(errors.New("statuspage: retract: the receipt names no update"))
	}
	return c.change(ctx, func(st *state) (bool, []string, error) {
		in, found := st.retract(id, c.now().UTC())
		return found, []string{in}, nil
	})
}

// Rebuild renders the whole site again from its state and publishes it,
// also when the page has no incident yet: after a change of Branding,
// Templates or Components, or to write the first, all-operational page.
func (c *Channel) Rebuild(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statuspage: rebuild: %w", err)
	}
	return c.change(ctx, func(st *state) (bool, []string, error) {
		return true, slices.Collect(maps.Keys(st.incidents)), nil
	})
}

// Preview returns the update as the page shows it, in plain text.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.s.name, Unit: "characters"}
	u, err := c.prepare(u)
	if err != nil {
		return p, err
	}
	p.Text = previewText(c.entry(u), c.IncidentURL(u))
	p.Length = utf8.RuneCountInString(p.Text)
	return p, nil
}

// prepare fills in the defaults of an update that did not come through a
// Broadcaster, and validates it as broadcast.Message.Validate does: a
// NextUpdate may precede a Time that was filled in (an update sent without
// a Time whose promise has passed), as Send takes it.
func (c *Channel) prepare(u broadcast.Update) (broadcast.Update, error) {
	if err := (broadcast.Message{Update: u}).Validate(); err != nil {
		return u, broadcast.Permanent(fmt.Errorf("statuspage: %w", err))
	}
	return u.WithDefaults(c.now()), nil
}

// entry is u as the page stores it: the channel's override replaces the
// body, and each text closes the right-to-left embeddings, overrides and
// isolates it leaves open (templates.BalanceBidi), as every channel's
// templates close them, so that none reverses the page's words after it.
func (c *Channel) entry(u broadcast.Update) entry {
	body := u.Body
	if text, ok := u.Override(c.s.name); ok {
		body = text
	}
	var comps []broadcast.Component
	if len(u.Components) > 0 {
		comps = make([]broadcast.Component, len(u.Components))
	}
	for i, comp := range u.Components {
		comp.Name = templates.BalanceBidi(comp.Name)
		comps[i] = comp
	}
	return entry{
		ID: u.ID, Title: templates.BalanceBidi(u.Title), Status: u.Status, Impact: u.Impact,
		Body: templates.BalanceBidi(body), Advice: templates.BalanceBidi(u.Advice),
		Components: comps, URL: u.URL,
		Time: u.Time.UTC(), NextUpdate: u.NextUpdate.UTC(), Corrects: u.Corrects,
	}
}

// canonical returns e with each component under the name the page knows
// it by: names that differ only in case or spacing ("API", "api") are one
// component, as broadcast.Update.Validate has them, under the name
// Config.Components gives it, else under that of the first update on the
// page to name it.
func (c *Channel) canonical(st *state, e entry) entry {
	if len(e.Components) == 0 {
		return e
	}
	name := c.canonicalName(st)
	e.Components = slices.Clone(e.Components)
	for i, comp := range e.Components {
		e.Components[i].Name = name(comp.Name)
	}
	return e
}

// canonicalName returns the function that gives the name the page knows
// a component by (see canonical), or the name given when the page knows
// none of its kind.
func (c *Channel) canonicalName(st *state) func(string) string {
	known := make(map[string]string, len(c.s.components)+len(st.Components))
	for _, rec := range slices.Backward(st.Components) { // the first recorded wins
		known[broadcast.ComponentKey(rec.Name)] = rec.Name
	}
	for _, ci := range c.s.components {
		known[broadcast.ComponentKey(ci.Name)] = ci.Name // unique: see checkComponents
	}
	return func(name string) string {
		if k, ok := known[broadcast.ComponentKey(name)]; ok {
			return k
		}
		return name
	}
}

func (c *Channel) receipt(updateID, incidentID string) broadcast.Receipt {
	return broadcast.Receipt{Channel: c.s.name, ID: updateID, URL: c.s.base.String() + pagePath(pageName(incidentID)),
		Time: c.now()}
}

// change runs op on the current state, holding this process's and the
// directory's lock, and publishes the result when op reports a change.
// dirty holds the IDs of the incidents op changed or removed.
func (c *Channel) change(ctx context.Context, op func(st *state) (changed bool, dirty []string, err error)) error {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("statuspage: wait for another write: %w", ctx.Err())
	}
	defer func() { <-c.sem }()
	if err := makeDir(c.s.dir); err != nil {
		return classify("create Config.Dir", err)
	}
	unlock, err := lockDir(ctx, filepath.Join(c.s.dir, lockName), c.s.lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	old, err := c.load()
	if err != nil {
		return err
	}
	next := old.clone()
	changed, ids, err := op(next)
	if err != nil || !changed {
		return err
	}
	now := c.now().UTC() // the JSON says its times in UTC, whatever the host's zone
	// Updates written before Config.Components listed a component under
	// another case or spacing ("api" before "API") name it as the page
	// now does, so that it is one component.
	ids = append(ids, next.rename(c.canonicalName(next), now)...)
	dirty := map[string]bool{}
	for _, id := range ids {
		dirty[id] = true
	}
	next.addComponents(c.componentNames(next, ids), now)
	next.prune(now.UTC())
	if err := c.publish(ctx, old, next, dirty, now); err != nil {
		return err
	}
	c.cache = next
	return nil
}

// componentNames lists the configured components and those the updates
// of the incidents ids name, for the state to record.
func (c *Channel) componentNames(st *state, ids []string) []string {
	var names []string
	for _, ci := range c.s.components {
		names = append(names, ci.Name)
	}
	for _, id := range ids {
		if in := st.incidents[id]; in != nil {
			for _, e := range in.Entries {
				for _, comp := range e.Components {
					names = append(names, comp.Name)
				}
			}
		}
	}
	return names
}

// load returns the current state: the cached one when the directory
// still holds that version (the same number and nonce), else read from
// the directory.
func (c *Channel) load() (*state, error) {
	gen, err := readCurrent(c.s.dir)
	if err != nil {
		return nil, err
	}
	if gen == 0 {
		return newState(c.now().UTC()), nil
	}
	dir := filepath.Join(c.s.dir, versionsName, versionName(gen))
	if c.cache != nil && c.cache.gen == gen {
		nonce, err := readNonce(dir)
		if err != nil {
			return nil, classify("load version "+versionName(gen), err)
		}
		if nonce == c.cache.Nonce {
			return c.cache, nil
		}
	}
	st, err := loadState(dir, gen)
	if err != nil {
		return nil, classify("load version "+versionName(gen), err)
	}
	c.cache = st
	return st, nil
}

// Check reports whether the channel can write its directory: Dir (or,
// when it does not exist yet, its nearest existing parent) is a writable
// directory, and Dir/current, if there, was made by this package and names
// a version that reads (a damaged state file fails it for good, naming the
// file, as it would fail every Send; a version that Sends replace while
// Check reads it is not damage, and the current one is read). It writes
// and removes one temporary file and publishes nothing.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statuspage: check: %w", err)
	}
	if err := c.checkDir(); err != nil {
		return &dirError{err}
	}
	return nil
}

// checkDir is Check of Config.Dir.
func (c *Channel) checkDir() error {
	dir := c.s.dir
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return broadcast.Permanent(fmt.Errorf("statuspage: %s is not a directory", dir))
			}
			break
		}
		parent := filepath.Dir(dir)
		err = dangling(err, dir)
		if !errors.Is(err, os.ErrNotExist) || errors.Is(err, errDangling) || parent == dir {
			if permanent(err) { // says "stat <path>: …" itself
				return broadcast.Permanent(err)
			}
			return err
		}
		dir = parent
	}
	f, err := createTemp(dir, ".check-*")
	if errors.Is(err, os.ErrNotExist) {
		f, err = createTemp(dir, ".check-*") // as makeDir tries again
	}
	if err != nil {
		return classify("write "+dir, refused(err, dir))
	}
	name := f.Name()
	_ = f.Close()
	if err := os.Remove(name); err != nil {
		return classify("remove "+name, err)
	}
	if dir != c.s.dir {
		return nil
	}
	gen, err := readCurrent(dir)
	for tries := 1; ; tries++ {
		if err != nil || gen == 0 {
			return err
		}
		c.hook("check: current read")
		// The version every Send starts from: a damaged one fails each of
		// them for good, and should fail a start-up check too. Read
		// without the cache, which Send's lock guards.
		_, loadErr := loadState(filepath.Join(dir, versionsName, versionName(gen)), gen)
		if loadErr == nil {
			return nil
		}
		// Sends (of this process or another) may have made newer
		// versions current meanwhile, and removed or recycled this one
		// as it was read: not damage, but the version to read is the
		// current one.
		now, err := readCurrent(dir)
		switch {
		case err != nil || now == gen:
			return classify("load version "+versionName(gen), loadErr)
		case tries == maxCheckReads:
			return fmt.Errorf("statuspage: load version %s: replaced by a newer one while read, %d times",
				versionName(gen), tries)
		}
		gen = now
	}
}

// maxCheckReads bounds the versions Check reads when each is replaced
// while it reads it (see checkDir); the last such failure is transient.
const maxCheckReads = 3

// dirError is an error of Check: it names the field to fix, Config.Dir,
// before what failed, and wraps it (and so its Permanent mark).
type dirError struct{ err error }

func (e *dirError) Error() string {
	return "statuspage: check Config.Dir: " + strings.TrimPrefix(e.err.Error(), "statuspage: ")
}

func (e *dirError) Unwrap() error { return e.err }

// previewText is an update in plain text, as the page shows it.
func previewText(e entry, url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s%s — %s\n", e.Title, correctionMark(&e), e.Status.Label(), e.Time.UTC().Format("2 Jan 2006 15:04 UTC"))
	if e.Advice != "" {
		fmt.Fprintf(&b, "\nWhat you can do: %s\n", e.Advice)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, "\n%s\n", e.Body)
	}
	if len(e.Components) > 0 {
		parts := make([]string, len(e.Components))
		for i, comp := range e.Components {
			parts[i] = comp.Name + " (" + comp.Status.Label() + ")"
		}
		fmt.Fprintf(&b, "\nAffects: %s\n", strings.Join(parts, ", "))
	}
	if !e.NextUpdate.IsZero() {
		fmt.Fprintf(&b, "Next update by %s.\n", e.NextUpdate.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	if e.URL != "" && e.URL != url {
		fmt.Fprintf(&b, "More: %s\n", e.URL)
	}
	fmt.Fprintf(&b, "\n%s", url)
	return b.String()
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("statuspage.Channel", "statuspage.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.s.name != "" }
