package statuspage

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/regfile"
	"github.com/outagecast/outagecast/internal/textfile"
	"github.com/outagecast/outagecast/templates"
)

//go:embed theme/*.tmpl
var themeFS embed.FS

// overdueJS is the site's one script, overdue.js: see the update template.
//
//go:embed theme/overdue.js
var overdueJS []byte

// renderVersion changes whenever the code changes what incident pages look
// like, so that pages written by an older version are rendered again.
const renderVersion = "statuspage-render-6"

// The page templates every set must define.
var pageTemplates = []string{"index", "incident", "history"}

// theme is the parsed HTML templates and the fingerprint of everything an
// incident page depends on besides its incident.
type theme struct {
	t           *template.Template
	fingerprint string
}

// newTheme parses the default templates, replaced or extended by the
// "<name>.tmpl" files at the root of user, and renders every page once on
// a sample site, so that a broken template fails here and not at Send.
func newTheme(s *settings, user fs.FS) (*theme, error) {
	root := template.New("statuspage").Funcs(templateFuncs())
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", renderVersion)
	sub, err := fs.Sub(themeFS, "theme")
	if err != nil {
		return nil, err
	}
	// The defaults first: the user's definitions replace them by name.
	if err := parseTemplates(root, sub, h); err != nil {
		return nil, fmt.Errorf("statuspage: default templates: %w", err)
	}
	if user != nil {
		if err := parseTemplates(root, user, h); err != nil {
			return nil, fmt.Errorf("statuspage: Config.Templates: %w", err)
		}
	}
	for _, name := range pageTemplates {
		if root.Lookup(name) == nil {
			return nil, fmt.Errorf("statuspage: Config.Templates: no template %q", name)
		}
	}
	// Everything else an incident page shows: the site's address and look.
	branding, err := json.Marshal(struct {
		Base, Lang string
		B          Branding
	}{s.base.String(), s.language, s.branding})
	if err != nil {
		return nil, fmt.Errorf("statuspage: fingerprint: %w", err)
	}
	h.Write(branding)
	th := &theme{t: root, fingerprint: hex.EncodeToString(h.Sum(nil)[:16])}
	if err := th.check(s); err != nil {
		return nil, err
	}
	return th, nil
}

// parseTemplates parses every "<name>.tmpl" file at the root of fsys into
// root, in name order: the file's {{define}}s, and its body, if not blank,
// as the template <name>. It hashes what it parsed into h.
func parseTemplates(root *template.Template, fsys fs.FS, h io.Writer) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("read directory: %w", err)
	}
	for _, de := range entries {
		name, ok := templates.FileTemplate(de.Name())
		if !ok || de.IsDir() {
			continue
		}
		if !templateName.MatchString(name) {
			return fmt.Errorf("%s: want a name of letters, digits, '-' and '_'", de.Name())
		}
		// As the templates package reads its own: a regular file of
		// UTF-8, its leading byte-order mark dropped.
		data, err := regfile.Read(fsys, de.Name(), templates.MaxFileSize)
		if err != nil {
			return fmt.Errorf("read %s: %w", de.Name(), err)
		}
		text, err := textfile.Decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", de.Name(), err)
		}
		if _, err := root.New(name).Parse(text); err != nil {
			return fmt.Errorf("%s: %w", de.Name(), err)
		}
		fmt.Fprintf(h, "%d:%s;%d:%s;", len(name), name, len(text), text)
	}
	return nil
}

// templateName is a template file's name without ".tmpl".
var templateName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// check renders every page on a sample site.
func (th *theme) check(s *settings) error {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	st := newState(now)
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved} {
		_, _, err := st.add("sample", entry{
			ID: fmt.Sprintf("sample-%d", i), Title: "Sample", Status: status, Impact: broadcast.ImpactMinor,
			Body: "Sample body https://example.com/x.\n\nSecond paragraph.", Advice: "Retry.",
			Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}},
			URL:        "https://example.com/more", Time: now.Add(time.Duration(i) * time.Minute),
			NextUpdate: now.Add(time.Hour), Corrects: "sample-0", Edited: now.Add(2 * time.Minute),
		}, now)
		if err != nil {
			return err
		}
		st.addComponents([]string{"API"}, now)
		m := newModel(s, st, now)
		for _, name := range pageTemplates {
			var err error
			switch name {
			case "incident":
				if _, err = th.incidentPage(m, st.incidents["sample"], 1); err == nil && i > 0 {
					err = th.checkIncidentPart(m, st.incidents["sample"])
				}
			case "history":
				if _, err = th.page(m, name); err == nil && i > 0 {
					err = th.checkMonth(m)
				}
			default:
				_, err = th.page(m, name)
			}
			if err != nil {
				return fmt.Errorf("statuspage: Config.Templates: check on a sample page: %w", err)
			}
		}
	}
	return nil
}

// checkMonth renders the sample's month page, and the second page of a
// month of more than a page.
func (th *theme) checkMonth(m *model) error {
	months := m.archive()
	if _, err := th.monthPage(m, months, 0, 1); err != nil {
		return err
	}
	months[0].Incidents = slices.Repeat(months[0].Incidents, MonthPageIncidents+1)
	_, err := th.monthPage(m, months, 0, 2)
	return err
}

// checkIncidentPart renders the second page of an incident of more than
// a page.
func (th *theme) checkIncidentPart(m *model, in *incident) error {
	long := *in
	long.Entries = slices.Repeat(in.Entries, m.s.pageUpdates)
	_, err := th.incidentPage(m, &long, 2)
	return err
}

// page renders the index or the history page. The history page shows
// nothing that changes but its incidents.
func (th *theme) page(m *model, name string) ([]byte, error) {
	d := PageData{Page: name, Site: m.siteData(), Heading: m.s.branding.Title, Title: m.s.branding.Title, URL: m.s.base.String()}
	switch name {
	case "index":
		d.Banner, d.Components = m.banner, m.components
		d.Active, d.Maintenance, d.Scheduled = m.sections()
		d.History, d.HistoryMore = m.history()
	case "history":
		d.Site.Generated = time.Time{}
		d.Heading = "Incident history"
		d.Title = d.Heading + " · " + d.Title
		d.URL += "history.html"
		d.Months = m.archive()
		d.Archive = latestMonths(d.Months, HistoryPageIncidents)
	}
	return th.execute(name, d)
}

// monthPage renders page part (from 1) of months[i], a month of
// m.archive(), with the history template. It shows nothing that changes
// but the page's incidents, the number of the month's pages and its
// neighbours.
func (th *theme) monthPage(m *model, months []MonthData, i, part int) ([]byte, error) {
	mo := months[i]
	parts := monthParts(mo)
	lo := (part - 1) * MonthPageIncidents
	mo.Incidents = mo.Incidents[lo:min(lo+MonthPageIncidents, len(mo.Incidents))]
	heading := "Incidents of " + mo.Month.Format("January 2006")
	if part > 1 {
		heading += fmt.Sprintf(", page %d of %d", part, len(parts))
	}
	d := PageData{Page: "history", Site: m.siteData(), Heading: heading, Title: heading + " · " + m.s.branding.Title,
		URL: m.s.base.String() + parts[part-1].Path, Archive: []MonthData{mo}, Month: &mo, Part: part, Parts: parts}
	d.Site.Generated = time.Time{}
	if i > 0 {
		d.Newer = &months[i-1]
	}
	if i+1 < len(months) {
		d.Older = &months[i+1]
	}
	return th.execute("history", d)
}

// incidentPage renders page part (from 1) of an incident. It shows
// nothing but the incident and the site's look, so that an incident that
// did not change keeps its pages byte for byte.
func (th *theme) incidentPage(m *model, in *incident, part int) ([]byte, error) {
	inc := m.incident(in, part)
	site := m.siteData()
	site.Generated = time.Time{}
	title := inc.Title
	if part > 1 {
		title += fmt.Sprintf(", page %d of %d", part, len(inc.Parts))
	}
	d := PageData{Page: "incident", Site: site, Root: "../", URL: m.s.base.String() + inc.Parts[part-1].Path,
		Incident: &inc, Heading: inc.Title, Title: title + " · " + m.s.branding.Title, Part: part, Parts: inc.Parts}
	return th.execute("incident", d)
}

func (th *theme) execute(name string, d PageData) ([]byte, error) {
	var b bytes.Buffer
	if err := th.t.ExecuteTemplate(&b, name, d); err != nil {
		return nil, fmt.Errorf("%w %s: %w", errRender, name, err)
	}
	return b.Bytes(), nil
}

// templateFuncs are the functions templates may call; see the package doc.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"time":       timeHTML,
		"date":       func(t time.Time, layout string) string { return t.UTC().Format(layout) },
		"text":       richText,
		"excerpt":    excerpt,
		"css":        cssColor,
		"isRelative": isRelative,
	}
}

// isRelative reports whether u is a URL without a scheme, which a page
// links relative to its own place in the site.
func isRelative(u string) bool {
	p, err := url.Parse(u)
	return err == nil && !p.IsAbs()
}

// timeHTML shows t in UTC in a <time> element: "14 Mar 2025 09:26 UTC".
func timeHTML(t time.Time) template.HTML {
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `">` +
		t.Format("2 Jan 2006 15:04 UTC") + `</time>`)
}

// richText renders plain text as HTML paragraphs (split at blank lines,
// a paragraph that shows nothing, see broadcast.Blank, left out; single
// line breaks are kept by the style sheet), with every http and https URL
// made a link. Everything else is escaped. A link ends where
// templates.LinkSpans ends it, but for the URLs of whole (the update's
// URL), linked whole where s shows them (templates.LinkSpansWhole).
func richText(s string, whole ...string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.Trim(p, "\n")
		if broadcast.Blank(p) {
			continue
		}
		b.WriteString("<p>")
		last := 0
		for _, loc := range templates.LinkSpansWhole(p, whole...) {
			u := p[loc[0]:loc[1]]
			b.WriteString(html.EscapeString(p[last:loc[0]]))
			fmt.Fprintf(&b, `<a href="%s" rel="nofollow">%s</a>`, html.EscapeString(u), html.EscapeString(u))
			last = loc[1]
		}
		b.WriteString(html.EscapeString(p[last:]))
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// excerpt is the first line of s that shows something (see
// broadcast.Blank: a line of format characters only, which richText
// leaves out as a paragraph, is passed over), cut to 200 characters with
// an ellipsis, as templates.Shorten cuts: between grapheme clusters, at
// the end of a word where it can, URLs whole, and the URLs of whole (the
// update's URL) whole to their end where the line shows them, as richText
// links them: cut at a character that ends a link in a sentence
// ("https://example.com/a」…"), or moved after the ellipsis without its
// final ")", it would name another page. The excerpt is plain text, no
// Markdown read: a link destination the cut moves is written as the URL
// it points to, "&" as "&" (templates.ShortenPlain).
func excerpt(s string, whole ...string) string {
	for line := range strings.Lines(s) {
		if !broadcast.Blank(line) {
			return templates.ShortenPlain(strings.TrimSpace(line), 200, templates.Runes, whole...)
		}
	}
	return ""
}

var errBadColor = errors.New("statuspage: not a colour")

// cssColor passes a validated hex colour into the style sheet.
func cssColor(c string) (template.CSS, error) {
	if _, err := parseColor(c); err != nil {
		return "", errBadColor
	}
	return template.CSS(c), nil
}

// impactLabel names an incident's impact on its badge.
func impactLabel(i broadcast.Impact, maintenance bool) string {
	switch {
	case i == broadcast.ImpactMaintenance || maintenance && (i == broadcast.ImpactNone || i == ""):
		return "Maintenance"
	case i == broadcast.ImpactNone || i == "":
		return "Incident"
	}
	return strings.ToUpper(string(i[:1])) + string(i[1:]) + " impact"
}

// impactTone is the component status whose colour an impact's badge
// takes; "neutral" for none.
func impactTone(i broadcast.Impact) string {
	switch i {
	case broadcast.ImpactMinor:
		return string(broadcast.ComponentDegraded)
	case broadcast.ImpactMajor:
		return string(broadcast.ComponentPartialOutage)
	case broadcast.ImpactCritical:
		return string(broadcast.ComponentMajorOutage)
	case broadcast.ImpactMaintenance:
		return string(broadcast.ComponentMaintenance)
	}
	return "neutral"
}
