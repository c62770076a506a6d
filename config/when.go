package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// when is a channel's "when:": the updates it gets (broadcast.Route).
type when struct {
	// Statuses selects updates with one of these statuses.
	Statuses []string `yaml:"statuses" json:"statuses"`
	// Impacts selects incidents with one of these impacts; an update
	// without an impact has maintenance for a maintenance's status, else
	// none.
	Impacts []string `yaml:"impacts" json:"impacts"`
	// Components selects incidents that name one of these components
	// (ignoring case and spacing).
	Components []string `yaml:"components" json:"components"`
	// First also selects the first update of each incident the channel
	// posts, when statuses would leave it out.
	First bool `yaml:"first" json:"first"`
}

// Values of "when:", for errors and the schema.
var (
	statusValues = []string{"investigating", "identified", "monitoring", "resolved",
		"scheduled", "in_progress", "verifying", "completed"}
	impactValues = []string{"none", "minor", "major", "critical", "maintenance"}
)

// whenError is a problem with one key of "when:".
type whenError struct {
	keys []string // below "when"
	msg  string
}

// route returns the broadcast.Route of w, or the first value it refuses.
// Every value is read without the white space around it.
func (w *when) route() (broadcast.Route, *whenError) {
	var r broadcast.Route
	for i, s := range w.Statuses {
		st := broadcast.Status(strings.TrimSpace(s))
		if !st.Valid() {
			return r, &whenError{[]string{"statuses", fmt.Sprintf("[%d]", i)},
				fmt.Sprintf("unknown value%s (want %s)", quoteValue(s), strings.Join(statusValues, ", "))}
		}
		r.Statuses = append(r.Statuses, st)
	}
	for i, s := range w.Impacts {
		im := broadcast.Impact(strings.TrimSpace(s))
		if !im.Valid() {
			return r, &whenError{[]string{"impacts", fmt.Sprintf("[%d]", i)},
				fmt.Sprintf("unknown value%s (want %s)", quoteValue(s), strings.Join(impactValues, ", "))}
		}
		r.Impacts = append(r.Impacts, im)
	}
	for i, c := range w.Components {
		c = strings.TrimSpace(c)
		if problem := componentProblem(c); problem != "" {
			return r, &whenError{[]string{"components", fmt.Sprintf("[%d]", i)}, problem}
		}
		r.Components = append(r.Components, c)
	}
	if w.First && len(w.Statuses) == 0 {
		return r, &whenError{[]string{"first"}, "needs statuses (without them every update is selected)"}
	}
	r.First = w.First
	return r, nil
}

// componentProblem says why c, a component of "when:" without the white
// space around it, names no component an update can carry, "" when it
// names one: broadcast.New refuses such a Route (see
// broadcast.Route.Components), which Load would otherwise take and Open
// refuse, without the file's line and key. The value is not quoted.
func componentProblem(c string) string {
	switch {
	case c == "":
		return "empty"
	case broadcast.Blank(c):
		return "blank (white space or invisible characters only)"
	case !utf8.ValidString(c):
		return "not valid UTF-8"
	case strings.ContainsFunc(c, func(r rune) bool { return (r < 0x20 || r >= 0x7f && r <= 0x9f) && !unicode.IsSpace(r) }):
		return "holds a control character, which no update's component name keeps"
	case utf8.RuneCountInString(c) > broadcast.MaxComponentNameLength:
		return fmt.Sprintf("longer than %d characters, which no component's name is", broadcast.MaxComponentNameLength)
	}
	return ""
}
