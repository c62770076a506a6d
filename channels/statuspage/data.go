package statuspage

import (
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// PageData is dot in every page template: index, incident and history.
// Paths (Root, IncidentData.Path, ComponentData.Feed) are relative, so the
// site works under any path and from a local copy; URLs are absolute, made
// from Config.BaseURL.
type PageData struct {
	// Page is the template rendered: "index", "incident" or "history"
	// (history.html and the month pages).
	Page string
	Site SiteData
	// Title is the page's title: the site's, after Heading on the other
	// pages than index.html.
	Title string
	// Heading is what the page's <h1> says, as the default templates word
	// it: the site's title on index.html, the incident's on each of its
	// pages (Title adds ", page 2 of 3" on the later ones), "Incident
	// history" on history.html, and on a month page "Incidents of March
	// 2025", with ", page 2 of 3" on the later pages
	// of a month of more than MonthPageIncidents. A history template that
	// words it otherwise tells the pages apart by Month (nil on
	// history.html) and takes the month from Month.Month and the page
	// from Part and Parts.
	Heading string
	// Root leads from the page to the site's root: "" on index.html and
	// history.html, "../" on incident pages.
	Root string
	// URL is the page's own absolute URL (its canonical link).
	URL string
	// Banner is the overall status (index only).
	Banner BannerData
	// Components are all components with their current status, in order
	// (index only).
	Components []ComponentData
	// Active are the open incidents, newest first, each with the updates
	// of its page's first part (index only; so are Maintenance and
	// Scheduled).
	Active []IncidentData
	// Maintenance are the maintenances in progress, newest first.
	Maintenance []IncidentData
	// Scheduled are the maintenances not yet started, the soonest first.
	Scheduled []IncidentData
	// History are the days with closed incidents resolved in the last
	// Config.HistoryDays, by the day each started, newest first, with the
	// latest HistoryPageIncidents of those incidents (index only). HistoryMore is how many more closed
	// in those days: history.html and the month pages list them.
	History     []DayData
	HistoryMore int
	// Incident is the incident of an incident page; nil on other pages.
	Incident *IncidentData
	// Archive are the closed incidents a history page shows, by month,
	// newest first: on history.html the latest HistoryPageIncidents, on a
	// month page the month's, at most MonthPageIncidents of them (see
	// Part).
	Archive []MonthData
	// Months are every month with closed incidents, newest first, each
	// with its page (history.html only).
	Months []MonthData
	// Month is the month of a month page, and Newer and Older the months
	// with closed incidents before and after it (nil when none); all nil
	// on history.html. Newer and Older lead to their months' first pages.
	Month, Newer, Older *MonthData
	// Part is the number of a month page among its month's pages, from 1
	// (the newest incidents), and Parts are all of the month's pages, in
	// order: one when the month fits a page. On an incident page, the
	// same of the incident's pages (Parts is Incident.Parts). Zero and nil
	// on other pages.
	Part  int
	Parts []MonthPart
}

// MonthPart is one of the pages of a month, or of an incident.
type MonthPart struct {
	Number int // from 1, the newest incidents (updates)
	// Path is the page's path from the root: "history-2006-01.html",
	// "history-2006-01-2.html"…; "incidents/<name>.html",
	// "incidents/<name>.2.html"…
	Path string
}

// HistoryPageIncidents is how many of the latest closed incidents
// history.html shows, and the front page at most; every month has a page
// of its own, "history-2006-01.html", which history.html links to.
const HistoryPageIncidents = 50

// IncidentPageUpdates is how many updates an incident page shows, the
// newest first: an incident of more (a long outage) has more pages,
// "incidents/<name>.html", then "incidents/<name>.2.html" and so on,
// each linking to all of them, so that no page grows with the outage.
// The front page shows an open incident's first page's updates.
const IncidentPageUpdates = 50

// MonthPageIncidents is how many closed incidents a month page lists,
// the newest first: a month of more has more pages,
// "history-2006-01.html", then "history-2006-01-2.html" and so on, each
// linking to all of them, so that no page grows with a month of a
// flapping alert.
const MonthPageIncidents = 50

// SiteData describes the site.
type SiteData struct {
	Title   string
	LogoURL string // "" for none; a relative one is relative to the root
	HomeURL string // "" links the title to the page itself
	Links   []Link
	BaseURL string // ends in "/"
	// Generated is when this version of the site was written; zero on
	// incident pages and history.html, which change only with their
	// incidents.
	Generated time.Time
	// Language is the BCP 47 tag of Config.Language: the pages' lang.
	Language string
	// Direction is "rtl" for a Language written right to left (Arabic,
	// Hebrew, Persian…), the pages' dir, else "ltr".
	Direction string
	// Back and Forward are the arrows of links that go back (to the
	// current status, to a newer month) and forward (to an older month):
	// "←" and "→", pointing where a line starts and where it ends, so
	// the other way round when Direction is "rtl" (the bidirectional
	// algorithm does not mirror arrows).
	Back, Forward string
	HistoryDays   int
	Light, Dark   Palette
}

// BannerData is the overall status.
type BannerData struct {
	// Indicator is Statuspage's: "none", "minor", "major", "critical" or
	// "maintenance".
	Indicator string
	// Label is what the banner says: "All systems operational",
	// "Partial outage", "Active incident"… Never "All systems
	// operational" while an incident is open.
	Label string
	// Status is the component status whose colour the banner takes.
	Status broadcast.ComponentStatus
	// Incidents are the open incidents and maintenances in progress the
	// banner names (without their updates).
	Incidents []IncidentData
}

// ComponentData is a component and its status.
type ComponentData struct {
	Name        string
	Description string
	Status      broadcast.ComponentStatus
	// Feed is the path of the component's Atom feed from the root.
	Feed string
}

// IncidentData is an incident or a maintenance.
type IncidentData struct {
	ID string
	// Title and Status are its latest update's, but for a correction of
	// an earlier update (see the package doc).
	Title string
	// Path is the incident page's path from the root,
	// "incidents/<name>.html"; URL is its absolute, stable URL.
	Path, URL string
	Status    broadcast.Status
	Impact    broadcast.Impact
	// ImpactLabel names the impact on a badge: "Major impact",
	// "Maintenance", "Incident" (for none).
	ImpactLabel string
	// Tone is the component status whose colour the impact's badge takes
	// ("partial_outage" for a major impact), or "neutral".
	Tone        string
	Maintenance bool
	// Open says the incident is not resolved (a maintenance: not
	// completed).
	Open bool
	// Started is the time of its first update that is no correction (see
	// the package doc), Updated the time it last changed (an update
	// added, edited, sent again or retracted; not another update's
	// beginning or ending its giving statuses, which that change made;
	// such a time a page written by an older version counted still
	// counts, so that what it published does not go back), Resolved the
	// time of
	// the update that closed it (zero while open): the first of the
	// closing updates, so that a later one (a note, a correction) does
	// not move it.
	Started, Updated, Resolved time.Time
	// ScheduledFor is a maintenance's planned start: the NextUpdate of its
	// latest "scheduled" update, else Started.
	ScheduledFor time.Time
	// Components are the components it names, each with the latest status
	// it gave them.
	Components []broadcast.Component
	// Updates are its updates, newest first: on an incident page those of
	// the page (IncidentPageUpdates at most), on the front page's open
	// incidents and maintenances those of its first page, and on the
	// front page's history and the history pages only the one that says
	// where it stands, whose Status and Title it has: its latest, but for
	// a correction of an earlier update (see the package doc).
	Updates []UpdateData
	// Earlier is how many of its updates, older than those of Updates,
	// Updates leaves out: they are on its later pages.
	Earlier int
	// Parts are its pages, in order (the newest updates first): one when
	// its updates fit a page.
	Parts []MonthPart
}

// UpdateData is one update of an incident.
type UpdateData struct {
	ID string
	// Anchor is the element id of the update on the incident page.
	Anchor string
	Title  string
	// Retitled says Title differs from the incident's title.
	Retitled   bool
	Status     broadcast.Status
	Impact     broadcast.Impact
	Body       string
	Advice     string
	Components []broadcast.Component
	// Changed are those of Components whose status the update changed,
	// from the one the incident's earlier updates gave them (operational
	// when none named them; a stale correction's status only where no
	// other earlier update gave one, as in IncidentData.Components), with
	// the status it gives them: what the default templates show of each
	// update, the incident's Components once beside its updates.
	Changed []broadcast.Component
	// URL is the update's Update.URL when it links elsewhere than the
	// incident page; "" otherwise.
	URL        string
	Time       time.Time
	NextUpdate time.Time
	// Pending says NextUpdate is still a promise: the update is the latest
	// of an open incident (or maintenance), a correction of an earlier
	// update aside (see the package doc), and overdue.js says so once
	// NextUpdate has passed.
	Pending bool
	// Edited is when a correction was edited into the update; zero if
	// never.
	Edited time.Time
	// Corrects is the ID of the update this one corrects; CorrectsAnchor
	// its anchor when that update is on the same page, CorrectsURL its
	// absolute URL, at its anchor, when it is on another page of the
	// incident.
	Corrects, CorrectsAnchor, CorrectsURL string
}

// DayData is a day of the history and its incidents.
type DayData struct {
	Date      time.Time // midnight UTC
	Incidents []IncidentData
}

// MonthData is a month of the archive and its incidents.
type MonthData struct {
	Month time.Time // the first day, midnight UTC
	// Path is the month's (first) page from the root:
	// "history-2006-01.html".
	Path      string
	Incidents []IncidentData
}
