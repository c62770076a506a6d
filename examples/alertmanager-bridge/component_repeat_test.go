package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// withComponents sets each alert's component label of a notification
// built by notification, by alert name.
func withComponents(t *testing.T, body []byte, components map[string]string) []byte {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal(body, &p))
	for _, a := range p["alerts"].([]any) {
		labels := a.(map[string]any)["labels"].(map[string]any)
		labels["component"] = components[labels["alertname"].(string)]
	}
	out, err := json.Marshal(p)
	require.NoError(t, err)
	return out
}

// Alertmanager drops a resolved alert once a notification carried it, so
// the repeat_interval notification after the database came back no longer
// names its component: the channels keep it operational, as the update
// before said, and the repeat says nothing new. It must not post the
// incident's latest update again on every channel.
func TestRepeatWithoutAResolvedComponentPostsNothing(t *testing.T) {
	comps := map[string]string{"PostgresDown": "Database", "APILatencyHigh": "API"}
	postSteps(t, []step{
		{"both fire", withComponents(t, notification(t, 0, dbDown, slowAPI), comps), true},
		{"the database is back", withComponents(t, notification(t, 0, dbBack, slowAPI), comps), true},
		{"the repeat after the resolved alert was dropped", withComponents(t, notification(t, 0, slowAPI), comps), false},
		{"resolved", withComponents(t, notification(t, 0, slowDone), comps), true},
	})
}
