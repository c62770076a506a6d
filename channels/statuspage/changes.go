package statuspage

import (
	"cmp"

	"github.com/outagecast/outagecast/broadcast"
)

// componentChange is a component an update names, with the status the
// incident's earlier updates gave it (operational when none named it)
// and the status the update gives it. As in IncidentData.fold, a stale
// correction (see entry.Stale) gives a component a status only where no
// other earlier update does: it says what an older update should have
// said, not where the incident stands, so the updates after it change
// from the status the others gave.
type componentChange struct {
	Name     string
	Old, New broadcast.ComponentStatus
}

// changesOf returns, for each entry of in in order, the components it
// names with their old and new statuses: the JSON's affected_components,
// and what the pages show of each update (the changed ones). Computed
// once per incident and version.
func (m *model) changesOf(in *incident) [][]componentChange {
	if out, ok := m.changes[in]; ok {
		return out
	}
	// before holds the status the updates that are no stale correction
	// gave; stale, what stale corrections gave.
	before, stale := map[string]broadcast.ComponentStatus{}, map[string]broadcast.ComponentStatus{}
	out := make([][]componentChange, len(in.Entries))
	for i, e := range in.Entries {
		for _, c := range e.Components {
			old := cmp.Or(before[c.Name], stale[c.Name], broadcast.ComponentOperational)
			out[i] = append(out[i], componentChange{Name: c.Name, Old: old, New: c.Status})
		}
		given := before
		if e.Stale {
			given = stale
		}
		for _, c := range e.Components {
			given[c.Name] = c.Status
		}
	}
	if m.changes == nil {
		m.changes = map[*incident][][]componentChange{}
	}
	m.changes[in] = out
	return out
}

// changed returns the components of changes whose status changed, with
// their new status; nil when none did.
func changed(changes []componentChange) []broadcast.Component {
	var out []broadcast.Component
	for _, c := range changes {
		if c.Old != c.New {
			out = append(out, broadcast.Component{Name: c.Name, Status: c.New})
		}
	}
	return out
}

// statusesAfter returns the status that entries give each component,
// folded as changesOf folds them: what the incident's latest update
// naming it that is no stale correction gave it, else what the latest
// stale correction naming it gave; operational when none names it.
func statusesAfter(entries []entry) func(component string) broadcast.ComponentStatus {
	given, stale := map[string]broadcast.ComponentStatus{}, map[string]broadcast.ComponentStatus{}
	for _, e := range entries {
		to := given
		if e.Stale {
			to = stale
		}
		for _, c := range e.Components {
			to[c.Name] = c.Status
		}
	}
	return func(component string) broadcast.ComponentStatus {
		return cmp.Or(given[component], stale[component], broadcast.ComponentOperational)
	}
}
