package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
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
	steps := []struct {
		name   string
		body   []byte
		posted bool
	}{
		{"both fire", notification(t, 0, dbDown, slowAPI), true},
		{"the database is back", notification(t, 0, dbBack, slowAPI), true},
		{"the repeat after the resolved alert was dropped", notification(t, 0, slowAPI), false},
		{"resolved", notification(t, 0, slowDone), true},
	}
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	posts := 0
	for _, s := range steps {
		code, resp := post(t, srv, withComponents(t, s.body, comps))
		require.Equal(t, http.StatusOK, code, s.name)
		if s.posted {
			posts++
		} else {
			assert.Equal(t, "skipped", resp.Results[0].Outcome, s.name)
		}
		require.Len(t, ch.sent(), posts, s.name)
	}
}
