package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A groupKey is logged cut short: it holds the group's label values, which
// the sender chooses, and before, a notification with a groupKey of
// megabytes (up to -max-body) put all of it into each of its log lines.
func TestLongGroupKeyIsLoggedCut(t *testing.T) {
	srv, logs := loggingBridge(t)

	const short = `{}:{cluster="eu-1"}`
	long := `{}:{cluster="` + strings.Repeat("é", 1<<20) + `"}`
	body := strings.Replace(string(notification(t, 0, dbDown)), strings.ReplaceAll(short, `"`, `\"`),
		strings.ReplaceAll(long, `"`, `\"`), 1)
	require.Contains(t, body, "éééé")
	code, _ := post(t, srv, []byte(body))
	require.Equal(t, http.StatusOK, code)

	want := `group="{}:{cluster=\"` + strings.Repeat("é", maxLoggedGroupKey-1-len(`{}:{cluster="`)) + `…"`
	assert.Contains(t, logs.String(), want+" ")
	assert.Less(t, logs.Len(), 4096, "the log holds no more of the key")

	// A groupKey of ordinary length is logged whole.
	logs.Reset()
	code, _ = post(t, srv, notification(t, 0, dbDown))
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, logs.String(), `group="{}:{cluster=\"eu-1\"}" `)
}
