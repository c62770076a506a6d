package broadcast

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/internal/quotecut"
)

// Route limits a channel to some updates, for example X to major and
// critical incidents, or SMS to the first and the resolved update of each
// incident. The zero Route selects every update.
//
// An update is selected when it matches every non-empty list. Impacts and
// Components describe the incident rather than one update, and later
// updates often leave them out: once a channel has posted an incident, they
// no longer filter its later updates, so the channel's thread always reaches
// the resolution. Statuses filter every update; First adds the incident's
// first post on the channel whatever its status. A correction
// (Broadcaster.Correct) goes where its original went, whatever the Route
// says of the correction: to every channel the original reached, so that
// the wrong post is fixed where it was read, and to every channel whose
// delivery of it is still under way (attempted, retrying, or failed
// there), since the correction takes its place. On a channel whose Route
// left the original out, whose readers never saw it, the correction is
// routed as the original was, with its own fields: as the incident's first
// post on the channel when the original would have been that, though the
// channel posted a later update since, so that only a correction that
// makes the update one the Route takes (a wrong status, impact or
// component) reaches it. Where the Store knows neither (the original's
// delivery there not started yet, superseded there, or the channel added
// since), the Route decides as for any update.
type Route struct {
	// Statuses selects updates with one of these statuses; empty: any.
	Statuses []Status `json:"statuses,omitempty"`
	// Impacts selects incidents with one of these impacts; empty: any.
	// An update without an Impact counts as ImpactMaintenance when its
	// status is a maintenance's (Status.Maintenance), else as ImpactNone,
	// as the status page shows it.
	Impacts []Impact `json:"impacts,omitempty"`
	// Components selects incidents that name one of these components
	// (compared without regard to case, spacing or invisible format
	// characters, as Validate tells one component from another); empty:
	// any. A name no update's component
	// can have (blank, not UTF-8, with a control character, or longer
	// than MaxComponentNameLength) is refused by New.
	Components []string `json:"components,omitempty"`
	// First also selects the first update of each incident the channel
	// posts, when Statuses would leave it out.
	First bool `json:"first,omitempty"`
}

// Faults returns every fault of the Route's values for which New refuses
// it, in order, each a *FieldError whose Field names the value within the
// Route, as Go writes it ("Statuses[2]", "Components[0]", "First"), and
// whose Problem says what is wrong with it ("unknown value \"down\"");
// none when New takes the Route. New names the same faults below the
// Route's key ("Options.Routes[\"ops\"].Statuses[2]"); a configuration
// format that sets Routes can check with Faults and name its own keys.
// A Route is no update: the faults are returned, not an error that
// ErrInvalidUpdate would match.
func (r Route) Faults() []*FieldError {
	var v validation
	r.check(&v, "")
	out := make([]*FieldError, len(v.errs))
	for i, e := range v.errs {
		out[i] = e.(*FieldError)
	}
	return out
}

// check adds to v every fault of the Route's values, each a *FieldError
// whose Field starts with field, the Route's own name, and a dot; with
// field "", the Field is the value's name within the Route.
func (r Route) check(v *validation, field string) {
	if field != "" {
		field += "."
	}
	for i, s := range r.Statuses {
		if !s.Valid() {
			v.add(invalid(fmt.Sprintf("%sStatuses[%d]", field, i), "unknown value %s", quotecut.Quote(string(s))))
		}
	}
	for i, im := range r.Impacts {
		if !im.Valid() {
			v.add(invalid(fmt.Sprintf("%sImpacts[%d]", field, i), "unknown value %s", quotecut.Quote(string(im))))
		}
	}
	for i, c := range r.Components {
		if problem := componentProblem(c); problem != "" {
			v.add(invalid(fmt.Sprintf("%sComponents[%d]", field, i), "%s", problem))
		}
	}
	if r.First && len(r.Statuses) == 0 {
		// Impacts and Components select incidents, not the updates of
		// one: First adds nothing to them either.
		selected := "every update is selected"
		switch {
		case len(r.Impacts) > 0 && len(r.Components) > 0:
			selected = "every update of an incident that Impacts and Components select is selected, its first included"
		case len(r.Impacts) > 0:
			selected = "every update of an incident that Impacts selects is selected, its first included"
		case len(r.Components) > 0:
			selected = "every update of an incident that Components selects is selected, its first included"
		}
		v.add(invalid(field+"First", "needs Statuses (without them %s)", selected))
	}
}

// componentProblem says why name, a Route's component, is not the name
// of any component an update can carry, "" when it is: the Route would
// never select an incident by it, and its channel would get nothing.
func componentProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "empty"
	case Blank(name):
		return "blank (white space or invisible characters only)"
	case !utf8.ValidString(name):
		return "not valid UTF-8"
	case strings.ContainsFunc(name, func(r rune) bool { return isControl(r) && !unicode.IsSpace(r) }):
		// An update's component names lose it (see Update.Clean).
		return "holds a control character, which no update's component name keeps"
	case utf8.RuneCountInString(name) > MaxComponentNameLength:
		return fmt.Sprintf("longer than %d characters, which no component's name is", MaxComponentNameLength)
	}
	return ""
}

// Selects reports whether the Route selects u for a channel whose thread of
// u's incident is t (zero when the channel has not posted it). It selects
// no update that Validate refuses, as Rejects says.
func (r Route) Selects(u Update, t Thread) bool { return r.Rejects(u, t) == "" }

// Rejects says why the Route leaves u out for a channel whose thread of u's
// incident is t, naming the list that does it ("statuses [resolved] does
// not select status identified"); "" when it selects u. An update that
// Validate refuses is one no Broadcaster sends: Rejects then says what
// Validate says of it, naming the field ("invalid update: Title:
// contains NUL"), whatever the Route's lists. It decides on u cleaned (see
// Update.Clean), as the Broadcaster does, and as Selects does.
func (r Route) Rejects(u Update, t Thread) string {
	if err := u.Validate(); err != nil {
		return strings.TrimPrefix(err.Error(), "broadcast: ")
	}
	// Cleaned, as the Broadcaster routes it: a component named with a
	// terminal's colour codes is the Route's component.
	u = u.Clean()
	return r.rejects(&u, &t)
}

// impactOf is u's Impact or, without one, the impact the status page
// shows it with: ImpactMaintenance for a maintenance's status, else
// ImpactNone.
func impactOf(u *Update) Impact {
	switch {
	case u.Impact != "":
		return u.Impact
	case u.Status.Maintenance():
		return ImpactMaintenance
	}
	return ImpactNone
}

func (r *Route) selects(u *Update, t *Thread) bool { return r.rejects(u, t) == "" }

func (r *Route) rejects(u *Update, t *Thread) string {
	first := t.IsZero()
	if first {
		if len(r.Impacts) > 0 && !slices.Contains(r.Impacts, impactOf(u)) {
			what := "impact " + string(u.Impact)
			switch {
			case u.Impact == "" && u.Status.Maintenance():
				what = "a maintenance without an impact"
			case u.Impact == "":
				what = "an update without an impact"
			}
			return "impacts " + list(r.Impacts) + " does not select " + what
		}
		if len(r.Components) > 0 && !slices.ContainsFunc(u.Components, func(c Component) bool {
			// In any case or spacing, as Validate has one component: "EU  API "
			// from an alert's label is the route's "EU API".
			have := ComponentKey(c.Name)
			return slices.ContainsFunc(r.Components, func(name string) bool { return ComponentKey(name) == have })
		}) {
			what := "an update without components"
			if len(u.Components) > 0 {
				names := make([]string, len(u.Components))
				for i, c := range u.Components {
					names[i] = c.Name
				}
				what = "components " + list(names)
			}
			return "components " + list(r.Components) + " does not select " + what
		}
	}
	if len(r.Statuses) == 0 || slices.Contains(r.Statuses, u.Status) || r.First && first {
		return ""
	}
	why := "statuses " + list(r.Statuses) + " does not select status " + string(u.Status)
	if r.First {
		why += " (first: the channel has posted this incident already)"
	}
	return why
}

// list writes values as a configuration may: [major, critical].
func list[S ~string](values []S) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
