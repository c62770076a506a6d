package templates

import (
	htmltemplate "html/template"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// Data is what every template receives as dot: the Update's fields (Title
// with its white space collapsed to single spaces) and ready-made labels.
// Each text field (Title, Body, Advice, a component's Name, an Overrides
// value) closes the right-to-left embeddings, overrides and isolates it
// opens, at its end and before each line break, so that one cannot turn
// the rest of a message around, also where a one-line template joins the
// lines.
type Data struct {
	// Update is the update being rendered, cleaned (see
	// broadcast.Update.Clean) and with Title on one line. Its methods are
	// Data's too.
	broadcast.Update

	// The Update's fields, repeated so that a template finds each one
	// directly: text/template looks up a promoted field with a search that
	// allocates on every use.
	ID, IncidentID string
	Title          string
	Status         broadcast.Status
	Impact         broadcast.Impact
	Body           string
	Advice         string
	Components     []broadcast.Component
	URL            string
	Time           time.Time
	NextUpdate     time.Time
	Overrides      map[string]string
	Corrects       string

	// Headline names the status in context: "Investigating", "Resolved",
	// "Scheduled maintenance", "Maintenance in progress".
	Headline string
	// StatusLabel is Status.Label(): "Investigating", "In progress".
	StatusLabel string
	// ImpactLabel is "Minor", "Major", "Critical" or "Maintenance"; empty
	// when Impact is empty or "none".
	ImpactLabel string
	// NextUpdateAt is NextUpdate in UTC as "14:30 UTC", or "25 Nov 14:30 UTC"
	// when it falls on another day than Time (or Time is zero), or
	// "2 Jan 2026 00:30 UTC" in another year than Time; empty when
	// NextUpdate is zero.
	NextUpdateAt string
	// PostedAt is Time in UTC as "24 Nov 2025 13:45 UTC"; empty when Time
	// is zero.
	PostedAt string
	// AdviceLabel introduces Advice: "What you can do". The default
	// templates write "What you can do: <Advice>" right after the status
	// line when Advice is set.
	AdviceLabel string
	// Correction is "Correction" when the update corrects an earlier one
	// (Corrects is set, see broadcast.Broadcaster.Correct), else empty. The
	// default templates but subject then put "Correction: " before the
	// headline.
	Correction string
	// ComponentsLeftOut is the number of components RenderFit left out of
	// the end of Components to fit a limit: 0 when it kept them all, or
	// dropped the list as a whole because not even the first one fits.
	ComponentsLeftOut int
	// MoreComponents counts them, MoreComponents(ComponentsLeftOut): "… and
	// 259 more", or empty. The default templates end the list with it.
	MoreComponents string
}

// AdviceLabel is Data.AdviceLabel, the words that introduce an update's
// advice in every default template, for a channel that shows the advice
// outside its text (in a card's field, say) to name it alike.
const AdviceLabel = "What you can do"

// MoreComponents is the line that ends a list of components cut short
// when n more are left out: "… and 259 more" ("" when n <= 0). It is
// Data.MoreComponents, which the default templates write; a channel that
// lists components outside its text (in a card, say) counts the ones it
// leaves out with it, so that every list reads alike.
func MoreComponents(n int) string {
	if n <= 0 {
		return ""
	}
	return Ellipsis + " and " + strconv.Itoa(n) + " more"
}

// leftOut returns d with the count of the components left out of its
// list, out of all of them; none is counted when the list is empty.
func (d Data) leftOut(all int) Data {
	if n := len(d.Components); n > 0 && n < all {
		d.ComponentsLeftOut = all - n
		d.MoreComponents = MoreComponents(d.ComponentsLeftOut)
	}
	return d
}

var headlines = map[broadcast.Status]string{
	broadcast.StatusScheduled:  "Scheduled maintenance",
	broadcast.StatusInProgress: "Maintenance in progress",
	broadcast.StatusVerifying:  "Verifying maintenance",
	broadcast.StatusCompleted:  "Maintenance completed",
}

// statusLabels and impactLabels hold the labels of the known values, made
// once, since making a label allocates.
var (
	statusLabels = labels(broadcast.Status.Label, statuses...)
	impactLabels = labels(broadcast.Impact.Label,
		broadcast.ImpactMinor, broadcast.ImpactMajor, broadcast.ImpactCritical, broadcast.ImpactMaintenance)
)

// statuses are the valid statuses, the incident's then the maintenance's.
var statuses = []broadcast.Status{
	broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring, broadcast.StatusResolved,
	broadcast.StatusScheduled, broadcast.StatusInProgress, broadcast.StatusVerifying, broadcast.StatusCompleted,
}

func labels[K ~string](label func(K) string, keys ...K) map[K]string {
	m := make(map[K]string, len(keys))
	for _, k := range keys {
		m[k] = label(k)
	}
	return m
}

// newData builds the template data of u without modifying u. It cleans u
// (see broadcast.Update.Clean) for callers that render without a
// Broadcaster, so that every channel shows the same text.
func newData(u broadcast.Update) Data {
	return cleanData(u.Clean())
}

// cleanData builds the template data of u, which is already clean.
func cleanData(u broadcast.Update) Data {
	u.Title = balanceBidi(oneLine(u.Title))
	u.Body, u.Advice = balanceBidi(u.Body), balanceBidi(u.Advice)
	u.Components = balanceNames(u.Components)
	u.Overrides = balanceOverrides(u.Overrides)
	d := Data{
		Update: u, ID: u.ID, IncidentID: u.IncidentID, Title: u.Title, Status: u.Status, Impact: u.Impact,
		Body: u.Body, Advice: u.Advice, Components: u.Components, URL: u.URL, Time: u.Time,
		NextUpdate: u.NextUpdate, Overrides: u.Overrides, Corrects: u.Corrects,
		AdviceLabel: AdviceLabel,
	}
	var ok bool
	if d.StatusLabel, ok = statusLabels[u.Status]; !ok {
		d.StatusLabel = u.Status.Label()
	}
	if d.Headline = headlines[u.Status]; d.Headline == "" {
		d.Headline = d.StatusLabel
	}
	if u.Impact != "" && u.Impact != broadcast.ImpactNone {
		if d.ImpactLabel, ok = impactLabels[u.Impact]; !ok {
			d.ImpactLabel = u.Impact.Label()
		}
	}
	if u.Corrects != "" {
		d.Correction = "Correction"
	}
	d.NextUpdateAt = nextUpdateAt(u.Time, u.NextUpdate)
	if !u.Time.IsZero() {
		d.PostedAt = u.Time.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	return d
}

// balanceNames returns cs with each name's embeddings and isolates closed
// (see balanceBidi): cs itself, shared with the caller, when no name
// needs it.
func balanceNames(cs []broadcast.Component) []broadcast.Component {
	var out []broadcast.Component
	for i, c := range cs {
		if name := balanceBidi(c.Name); name != c.Name {
			if out == nil {
				out = slices.Clone(cs)
			}
			out[i].Name = name
		}
	}
	if out == nil {
		return cs
	}
	return out
}

// balanceOverrides returns os with each value's embeddings and isolates
// closed (see balanceBidi), as Set.Text closes those of the override it
// sends: os itself, shared with the caller, when no value needs it.
func balanceOverrides(os map[string]string) map[string]string {
	var out map[string]string
	for k, v := range os {
		if b := balanceBidi(v); b != v {
			if out == nil {
				out = maps.Clone(os)
			}
			out[k] = b
		}
	}
	if out == nil {
		return os
	}
	return out
}

func nextUpdateAt(posted, next time.Time) string {
	if next.IsZero() {
		return ""
	}
	next = next.UTC()
	if !posted.IsZero() {
		py, pm, pd := posted.UTC().Date()
		ny, nm, nd := next.Date()
		switch {
		case ny == py && nm == pm && nd == pd:
			return next.Format("15:04 UTC")
		case ny != py:
			return next.Format("2 Jan 2006 15:04 UTC")
		}
	}
	return next.Format("2 Jan 15:04 UTC")
}

// funcs are the functions every template may call; see the package doc.
// Each that returns a string refuses a result longer than MaxOutputSize,
// text/template's print, printf, println, html, js and urlquery included.
func funcs() map[string]any {
	m := builtins()
	maps.Copy(m, map[string]any{
		"oneline":    bounded(oneLine),
		"sentence":   bounded(sentence),
		"md":         md,
		"mdurl":      mdurl,
		"autolink":   bounded(autolink),
		"paragraphs": paragraphs,
		"lines":      lines,
		"indent":     bounded(Indent),
		"utc":        bounded(utc),
		"color":      bounded(color),
	})
	return m
}

// md is escapeMarkdown of s, refusing (see mustFit) a result longer than
// MaxOutputSize. md and mdurl are two functions, not one with an optional
// argument: text/template calls a variadic function through a slice made
// for each call, every component's name's too.
func md(s string) string {
	r := escapeMarkdown(s)
	mustFit(len(r))
	return r
}

// mdurl is md keeping url, the update's URL, whole (see escapeMarkdown).
func mdurl(s, url string) string {
	r := escapeMarkdown(s, url)
	mustFit(len(r))
	return r
}

// sentence trims s and ends it with a full stop unless it already ends in
// punctuation or a symbol (see endsSentence). The characters that close
// embeddings, overrides and isolates (U+202C, U+2069), which a text
// closing what it opened ends in, are looked past: a text cut inside an
// isolate ends in an Ellipsis and then the isolate's closer.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || endsSentence(strings.TrimRight(s, "\u202c\u2069")) {
		return s
	}
	return s + "."
}

// endsSentence reports whether s ends in punctuation or a symbol, an emoji
// included, looking past the marks after its last character (a combining
// accent, the emoji variation selector U+FE0F, a keycap's U+20E3) and the
// tag characters that end a subdivision flag. A character that U+FE0F or
// U+20E3 follows is an emoji: "1️⃣" ends in one, as "✔️" and "👍" do.
func endsSentence(s string) bool {
	emoji := false
	for s != "" {
		r, n := utf8.DecodeLastRuneInString(s)
		switch {
		case r == 0xfe0f || r == 0x20e3:
			emoji = true
		case unicode.IsMark(r) || r >= 0xe0020 && r <= 0xe007f:
		default:
			return emoji || unicode.IsPunct(r) || unicode.IsSymbol(r)
		}
		s = s[:len(s)-n]
	}
	return false
}

// paragraphs splits s at blank lines, lines empty or of white space
// only (as CommonMark and a reader see them), and returns the
// paragraphs without them.
func paragraphs(s string) []string {
	var out []string
	s = normalizeNewlines(s)
	start := -1 // where the paragraph being read began, -1 between paragraphs
	for pos := 0; pos <= len(s); {
		end := strings.IndexByte(s[pos:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += pos
		}
		if blank := strings.TrimSpace(s[pos:end]) == ""; blank && start >= 0 {
			out = append(out, s[start:pos-1])
			start = -1
		} else if !blank && start < 0 {
			start = pos
		}
		pos = end + 1
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// lines splits s at line breaks.
func lines(s string) []string {
	return strings.Split(normalizeNewlines(s), "\n")
}

// Indent returns s with the spaces and tabs that begin each line written
// as no-break spaces, one per column, a tab reaching the next multiple of
// four: HTML collapses them, and CommonMark reads four columns as code.
// It returns s itself when no line begins with a space or a tab. It is the
// templates' "indent" function, for channels that write HTML themselves.
func Indent(s string) string {
	if !strings.HasPrefix(s, " ") && !strings.HasPrefix(s, "\t") && !strings.Contains(s, "\n ") &&
		!strings.Contains(s, "\n\t") && !strings.Contains(s, "\r ") && !strings.Contains(s, "\r\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart, col := true, 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case lineStart && ch == ' ':
			b.WriteString(noBreakSpace)
			col++
		case lineStart && ch == '\t':
			n := tabWidth - col%tabWidth
			b.WriteString(strings.Repeat(noBreakSpace, n))
			col += n
		default:
			b.WriteByte(ch)
			lineStart, col = ch == '\n' || ch == '\r', 0
		}
	}
	return b.String()
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// utc formats t in UTC as "24 Nov 2025 13:45 UTC"; the zero time is "".
func utc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// color is a text colour for the status with a contrast of at least 4.5:1
// on white. It only decorates: the status is always written out too.
func color(s broadcast.Status) htmltemplate.CSS {
	switch s {
	case broadcast.StatusInvestigating:
		return "#cf222e"
	case broadcast.StatusIdentified:
		return "#bc4c00"
	case broadcast.StatusMonitoring:
		return "#9a6700"
	case broadcast.StatusResolved, broadcast.StatusCompleted:
		return "#1a7f37"
	case broadcast.StatusScheduled, broadcast.StatusInProgress, broadcast.StatusVerifying:
		return "#0969da"
	}
	return "#1f2328"
}
