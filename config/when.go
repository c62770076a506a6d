package config

import (
	"fmt"
	"strconv"
	"strings"

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

// route returns the broadcast.Route of w, and every value it refuses:
// those for which broadcast.New would refuse the Route (see
// broadcast.Route.Faults), which Load would otherwise take and Open refuse,
// without the file's line and key. Every value is read without the white
// space around it.
func (w *when) route() (broadcast.Route, []whenError) {
	var r broadcast.Route
	for _, s := range w.Statuses {
		r.Statuses = append(r.Statuses, broadcast.Status(strings.TrimSpace(s)))
	}
	for _, s := range w.Impacts {
		r.Impacts = append(r.Impacts, broadcast.Impact(strings.TrimSpace(s)))
	}
	for _, c := range w.Components {
		r.Components = append(r.Components, strings.TrimSpace(c))
	}
	r.First = w.First
	var errs []whenError
	for _, fe := range r.Faults() {
		errs = append(errs, w.fault(fe))
	}
	return r, errs
}

// fault is fe, a fault of w's Route, said of w's key: "Statuses[2]" is
// statuses[2], and an unknown value is said with the values known.
func (w *when) fault(fe *broadcast.FieldError) whenError {
	name, index, _ := strings.Cut(fe.Field, "[")
	keys := []string{strings.ToLower(name)}
	i := -1
	if index != "" {
		keys = append(keys, "["+index)
		i, _ = strconv.Atoi(strings.TrimSuffix(index, "]"))
	}
	msg := fe.Problem
	switch {
	case name == "Statuses" && i >= 0 && i < len(w.Statuses):
		msg = fmt.Sprintf("unknown value%s (want %s)", quoteValue(w.Statuses[i]), strings.Join(statusValues, ", "))
	case name == "Impacts" && i >= 0 && i < len(w.Impacts):
		msg = fmt.Sprintf("unknown value%s (want %s)", quoteValue(w.Impacts[i]), strings.Join(impactValues, ", "))
	case name == "First":
		msg = "needs statuses (without them every update is selected)"
		// Components and impacts limit the incidents, not the updates
		// of one: first adds nothing to them either.
		var by []string
		if len(w.Impacts) > 0 {
			by = append(by, "impacts")
		}
		if len(w.Components) > 0 {
			by = append(by, "components")
		}
		switch len(by) {
		case 1:
			msg = "needs statuses (without them every update of an incident that " + by[0] + " selects is selected, its first included)"
		case 2:
			msg = "needs statuses (without them every update of an incident that impacts and components select is selected, its first included)"
		}
	}
	return whenError{keys, msg}
}
