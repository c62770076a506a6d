package config_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every fault of every channel's "when:" is named in one error, each with
// its line and key, as broadcast.New names every fault of every Route.
// Before, Load named the first fault of the first channel's "when:" alone,
// so that mending a file took a run per mistake.
func TestWhenFaultsNamedTogether(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: ops",
		"    when:",
		"      statuses: [down, resolved, up]",
		"      impacts: [huge]",
		"      components: [\"  \", API]",
		"  - url: console://",
		"    name: two",
		"    when: {first: true}",
	), nil)
	require.Error(t, err)
	want := []string{
		`test.yaml:5: channels[0].when.statuses[0]: unknown value "down" (want investigating, identified, monitoring, resolved, scheduled, in_progress, verifying, completed)`,
		`test.yaml:5: channels[0].when.statuses[2]: unknown value "up" (want investigating,`,
		`test.yaml:6: channels[0].when.impacts[0]: unknown value "huge" (want none, minor, major, critical, maintenance)`,
		`test.yaml:7: channels[0].when.components[0]: empty`,
		`test.yaml:10: channels[1].when.first: needs statuses (without them every update is selected)`,
	}
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
	assert.Equal(t, len(want), strings.Count(err.Error(), "test.yaml:"), err.Error())
	assertNoGoNames(t, regexp.MustCompile(`\S*test\.yaml`).ReplaceAllString(err.Error(), "test.yaml"))
}

// "first" without statuses adds nothing, with components or impacts too:
// first adds an incident's first update where statuses would leave it
// out, and without statuses every update of an incident that components
// (or impacts) select is taken, its first included. The fault says so,
// naming them; before, it said that without statuses every update is
// selected, which components and impacts limit.
func TestWhenFirstWithComponentsNeedsStatuses(t *testing.T) {
	tests := []struct{ when, want string }{
		{"{components: [CDN], first: true}", "channels[0].when.first: needs statuses " +
			"(without them every update of an incident that components selects is selected, its first included)"},
		{"{impacts: [major], first: true}", "channels[0].when.first: needs statuses " +
			"(without them every update of an incident that impacts selects is selected, its first included)"},
		{"{impacts: [major], components: [CDN], first: true}", "channels[0].when.first: needs statuses " +
			"(without them every update of an incident that impacts and components select is selected, its first included)"},
	}
	for _, tt := range tests {
		t.Run(tt.when, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - kind: console", "    when: "+tt.when), nil)
			require.Error(t, err)
			assert.True(t, strings.HasSuffix(err.Error(), "test.yaml:3: "+tt.want), err.Error())
		})
	}
}
