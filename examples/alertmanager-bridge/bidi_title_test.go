package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A group without a common summary or alert name is titled after its first
// alert, and the bridge adds " and N more". An alert whose summary leaves
// a right-to-left override (or embedding, or isolate) open, as text pasted
// from a right-to-left language can, must not reverse those words of the
// bridge's on every channel: what the alert opened is closed before them.
func TestTitleSuffixNotReversedByAnAlertsOpenOverride(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	alert := func(name, summary, fp string) map[string]any {
		return map[string]any{"status": "firing", "labels": map[string]string{"alertname": name},
			"annotations": map[string]string{"summary": summary}, "startsAt": "2024-05-14T09:12:30Z",
			"endsAt": "0001-01-01T00:00:00Z", "fingerprint": fp}
	}
	body, err := json.Marshal(map[string]any{"version": "4", "groupKey": `{}:{cluster="eu-1"}`, "status": "firing",
		"alerts": []any{alert("DiskFull", "\u202eDisk full", "a1"), alert("SlowIO", "\u2067Slow disk", "a2")}})
	require.NoError(t, err)
	code, _ := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 1)
	assert.Equal(t, "\u202eDisk full\u202c and 1 more", ch.sent()[0].Update.Title,
		"the override closed (U+202C) before the bridge's words")
}
