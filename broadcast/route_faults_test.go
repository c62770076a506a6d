package broadcast_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// New names every fault of every Route in one error, as Validate names
// every field of an update at fault. Before, it named a Route's first fault
// alone (its Statuses'), and the first Route's only, so that a caller who
// mended it learned of the next one in another round trip.
func TestRouteFaultsNamedTogether(t *testing.T) {
	x, y := &script{name: "x"}, &script{name: "y"}
	_, err := broadcast.New([]broadcast.Channel{x, y}, broadcast.Options{Routes: map[string]broadcast.Route{
		"x": {Statuses: []broadcast.Status{"down"}, Impacts: []broadcast.Impact{"huge"}, Components: []string{" "}},
		"y": {First: true},
		"z": {},
	}})
	require.Error(t, err)
	assert.Equal(t, `broadcast: Options.Routes["x"].Statuses[0]: unknown value "down"; `+
		`Options.Routes["x"].Impacts[0]: unknown value "huge"; `+
		`Options.Routes["x"].Components[0]: empty; `+
		`Options.Routes["y"].First: needs Statuses (without them every update is selected); `+
		`Options.Routes["z"]: no channel of that name`, err.Error())
	assert.NotErrorIs(t, err, broadcast.ErrInvalidUpdate, "a Route is no update")

	// Every fault of one list, too.
	_, err = broadcast.New([]broadcast.Channel{x}, broadcast.Options{Routes: map[string]broadcast.Route{
		"x": {Statuses: []broadcast.Status{"down", broadcast.StatusResolved, "up"}},
	}})
	require.Error(t, err)
	assert.Equal(t, `broadcast: Options.Routes["x"].Statuses[0]: unknown value "down"; `+
		`Options.Routes["x"].Statuses[2]: unknown value "up"`, err.Error())
}

// Two Routes for no channel whose names, cut where an error quotes them,
// read the same (alike in their first 64 bytes) are each named: the
// caller learns that two are at fault, not one. Before, the second was
// taken for the first's field named again, and left out.
func TestRouteFaultsOfNamesAlikeWhenCut(t *testing.T) {
	long := strings.Repeat("p", 64)
	_, err := broadcast.New([]broadcast.Channel{&script{name: "x"}}, broadcast.Options{Routes: map[string]broadcast.Route{
		long + "-a": {}, long + "-b": {},
	}})
	require.Error(t, err)
	fault := `Options.Routes["` + long + `"…]: no channel of that name`
	assert.Equal(t, "broadcast: "+fault+"; "+fault, err.Error())
}

// Faults names the faults New names, each by its field within the Route,
// so that a configuration format can name its own keys; none for a Route
// New takes.
func TestRouteFaults(t *testing.T) {
	r := broadcast.Route{Statuses: []broadcast.Status{"down", broadcast.StatusResolved, "up"},
		Impacts: []broadcast.Impact{"huge"}, Components: []string{"API", " ", "a\x01b"}}
	var got []string
	for _, fe := range r.Faults() {
		got = append(got, fe.Field+": "+fe.Problem)
	}
	assert.Equal(t, []string{
		`Statuses[0]: unknown value "down"`,
		`Statuses[2]: unknown value "up"`,
		`Impacts[0]: unknown value "huge"`,
		`Components[1]: empty`,
		`Components[2]: holds a control character, which no update's component name keeps`,
	}, got)

	faults := broadcast.Route{First: true}.Faults()
	require.Len(t, faults, 1)
	assert.Equal(t, broadcast.FieldError{Field: "First", Problem: "needs Statuses (without them every update is selected)"}, *faults[0])

	assert.Empty(t, broadcast.Route{}.Faults())
	assert.Empty(t, broadcast.Route{Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true, Components: []string{"CDN"}}.Faults())
}

// A Route with First and Impacts or Components but no Statuses is refused
// with a reason true of it: without Statuses, every update of an incident
// the other lists select is selected, not every update.
func TestRouteFirstWithoutStatusesNamesTheOtherLists(t *testing.T) {
	for _, c := range []struct {
		r    broadcast.Route
		want string
	}{
		{broadcast.Route{First: true, Components: []string{"CDN"}},
			"needs Statuses (without them every update of an incident that Components selects is selected, its first included)"},
		{broadcast.Route{First: true, Impacts: []broadcast.Impact{broadcast.ImpactMajor}},
			"needs Statuses (without them every update of an incident that Impacts selects is selected, its first included)"},
		{broadcast.Route{First: true, Impacts: []broadcast.Impact{broadcast.ImpactMajor}, Components: []string{"CDN"}},
			"needs Statuses (without them every update of an incident that Impacts and Components select is selected, its first included)"},
	} {
		faults := c.r.Faults()
		require.Len(t, faults, 1)
		assert.Equal(t, broadcast.FieldError{Field: "First", Problem: c.want}, *faults[0])
	}
}
