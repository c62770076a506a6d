package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestRouteSelects(t *testing.T) {
	major := broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating, Impact: broadcast.ImpactMajor,
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}}}
	minor := major
	minor.Impact = broadcast.ImpactMinor
	resolved := broadcast.Update{Title: "t", Status: broadcast.StatusResolved} // no impact, no components
	scheduled := broadcast.Update{Title: "t", Status: broadcast.StatusScheduled}
	identified := resolved
	identified.Status = broadcast.StatusIdentified
	posted := broadcast.Thread{Root: broadcast.Receipt{Channel: "x", ID: "1"}, Last: broadcast.Receipt{Channel: "x", ID: "1"}}

	bigOnly := broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactMajor, broadcast.ImpactCritical}}
	cdn := broadcast.Route{Components: []string{"cdn"}}
	sms := broadcast.Route{Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true}
	tests := []struct {
		name   string
		route  broadcast.Route
		u      broadcast.Update
		thread broadcast.Thread
		want   bool
		why    string // what Rejects says when want is false
	}{
		{"zero route takes all", broadcast.Route{}, minor, broadcast.Thread{}, true, ""},
		{"impact matches", bigOnly, major, broadcast.Thread{}, true, ""},
		{"impact does not match", bigOnly, minor, broadcast.Thread{}, false, "impacts [major, critical] does not select impact minor"},
		{"no impact on a first post", bigOnly, resolved, broadcast.Thread{}, false,
			"impacts [major, critical] does not select an update without an impact"},
		{"impact filters only the first post: the thread reaches the resolution", bigOnly, resolved, posted, true, ""},
		// No impact is impact none, or maintenance for a maintenance's
		// status, as the status page shows it: a route for quiet incidents
		// takes an update without one, and a route for maintenances a
		// scheduled maintenance without one.
		{"none selects an update without an impact", broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactNone}}, resolved, broadcast.Thread{}, true, ""},
		{"none does not select minor", broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactNone}}, minor, broadcast.Thread{}, false,
			"impacts [none] does not select impact minor"},
		{"maintenance selects a maintenance without an impact", broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactMaintenance}},
			scheduled, broadcast.Thread{}, true, ""},
		{"none does not select a maintenance without an impact", broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactNone}},
			scheduled, broadcast.Thread{}, false, "impacts [none] does not select a maintenance without an impact"},
		{"component matches without regard to case", cdn, major, broadcast.Thread{}, true, ""},
		{"component missing", cdn, resolved, broadcast.Thread{}, false, "components [cdn] does not select an update without components"},
		{"another component", broadcast.Route{Components: []string{"api"}}, major, broadcast.Thread{}, false,
			"components [api] does not select components [CDN]"},
		{"first update whatever its status", sms, major, broadcast.Thread{}, true, ""},
		{"later update of another status", sms, identified, posted, false,
			"statuses [resolved] does not select status identified (first: the channel has posted this incident already)"},
		{"resolved", sms, resolved, posted, true, ""},
		{"status", broadcast.Route{Statuses: []broadcast.Status{broadcast.StatusResolved}}, identified, broadcast.Thread{}, false,
			"statuses [resolved] does not select status identified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.route.Selects(tt.u, tt.thread))
			assert.Equal(t, tt.why, tt.route.Rejects(tt.u, tt.thread))
		})
	}
}

func TestRoutesThroughBroadcaster(t *testing.T) {
	x := &script{name: "x"}
	mail := &script{name: "email"}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"x": {Impacts: []broadcast.Impact{broadcast.ImpactMajor, broadcast.ImpactCritical}},
	}}, x, mail)

	minor := validUpdate()
	minor.Impact = broadcast.ImpactMinor
	minor.IncidentID = "minor-one"
	rep, err := b.Send(context.Background(), minor)
	require.NoError(t, err, "not selected is not an error")
	assert.True(t, rep.Results[0].NotSelected)
	assert.Zero(t, rep.Results[0].Attempts)
	assert.False(t, rep.Results[1].NotSelected)
	assert.Equal(t, 0, x.count())
	assert.Equal(t, 1, mail.count())

	major := validUpdate() // ImpactMajor
	_, err = b.Send(context.Background(), major)
	require.NoError(t, err)
	resolved := validUpdate()
	resolved.Impact, resolved.Status = "", broadcast.StatusResolved
	rep, err = b.Send(context.Background(), resolved)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].NotSelected, "the thread x started reaches the resolution")
	assert.Equal(t, 2, x.count())
}

func TestRouteOptionsAreChecked(t *testing.T) {
	ch := &script{name: "x"}
	for name, routes := range map[string]map[string]broadcast.Route{
		`Options.Routes["y"]: no channel of that name`:          {"y": {}},
		`Options.Routes["x"].Statuses[0]: unknown value "down"`: {"x": {Statuses: []broadcast.Status{"down"}}},
		`Options.Routes["x"].Impacts[0]: unknown value "huge"`:  {"x": {Impacts: []broadcast.Impact{"huge"}}},
		`Options.Routes["x"].Components[0]: empty`:              {"x": {Components: []string{" "}}},
		`Options.Routes["x"].Components[1]: blank`:              {"x": {Components: []string{"cdn", "\u200b"}}},
		`Options.Routes["x"].Components[0]: not valid UTF-8`:    {"x": {Components: []string{"cdn\xff"}}},
		`Options.Routes["x"].Components[0]: holds a control`:    {"x": {Components: []string{"\x1b[1mcdn"}}},
		`Options.Routes["x"].Components[0]: longer than 255`:    {"x": {Components: []string{strings.Repeat("é", 256)}}},
		`Options.Routes["x"].First: needs Statuses`:             {"x": {First: true}},
	} {
		_, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Routes: routes})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
	}
}

// A component named in other spacing is the route's component, as
// Validate has it one component: an update from a tool that writes "EU  API "
// reaches the channel routed to "EU API".
func TestRouteComponentSpacing(t *testing.T) {
	r := broadcast.Route{Components: []string{"EU API"}}
	for _, name := range []string{"eu api", "EU  API", " EU API ", "EU\tAPI"} {
		u := broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating,
			Components: []broadcast.Component{{Name: name, Status: broadcast.ComponentMajorOutage}}}
		require.NoError(t, u.Validate())
		assert.True(t, r.Selects(u.Clean(), broadcast.Thread{}), "%q", name)
		assert.Empty(t, r.Rejects(u.Clean(), broadcast.Thread{}), "%q", name)
	}
	u := broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating,
		Components: []broadcast.Component{{Name: "EUAPI", Status: broadcast.ComponentMajorOutage}}}
	assert.False(t, r.Selects(u, broadcast.Thread{}), "letters run together are another name")
}

// A Broadcaster keeps the Routes New checked: the caller's later change to
// a Route's lists (a Route built once for several Broadcasters, a
// configuration's slice reused) changed where a running Broadcaster sent
// updates, and could put in a value New refuses.
func TestRouteListsChangedAfterNew(t *testing.T) {
	x := &script{name: "x"}
	r := broadcast.Route{Statuses: []broadcast.Status{broadcast.StatusInvestigating},
		Impacts: []broadcast.Impact{broadcast.ImpactMajor}, Components: []string{"CDN"}}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{"x": r}}, x)
	r.Statuses[0], r.Impacts[0], r.Components[0] = "down", broadcast.ImpactMinor, "API"

	rep, err := b.Send(context.Background(), validUpdate()) // investigating, major, CDN
	require.NoError(t, err)
	assert.False(t, rep.Results[0].NotSelected)
	assert.Equal(t, 1, x.count())
}
