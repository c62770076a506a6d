package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The short form's hint "(or give the channel a kind)" follows an unknown
// key of the entry itself, which the full form of a kind may take, and
// no unknown key of its "when:", which no kind takes either. Before, a
// misspelt key of "when:" had the hint too, which was wrong advice.
func TestShortFormKindHintOnlyOnEntryKeys(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - url: console://",
		"    template: short",
		"    when: {statuss: [resolved]}",
		"  - url: console://stderr",
		"    name: two",
		"    <<: {when: {impact: [major]}, nmae: x}",
	), nil)
	assertFaults(t, err,
		`test.yaml:3: channels[0]: unknown key "template" (known: name, url, when) (or give the channel a kind)`,
		`test.yaml:4: channels[0].when: unknown key "statuss" (did you mean "statuses"? known: components, first, impacts, statuses)`,
		`test.yaml:7: channels[1].when: unknown key "impact" (did you mean "impacts"? known: components, first, impacts, statuses)`,
		`test.yaml:7: channels[1]: unknown key "nmae" (did you mean "name"? known: name, url, when) (or give the channel a kind)`,
	)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `statuses) (or give the channel a kind)`)
}
