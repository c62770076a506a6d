package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/dispatch"
)

// A channel whose job River deleted, and of which the Store has no post,
// is "unknown", not "failed": nothing says it failed. One that delivered
// but whose delivery the Store could not record is not "failed" either.
func TestOutcomeOfEachResult(t *testing.T) {
	for want, r := range map[string]broadcast.Result{
		outcomeUnknown:   {Channel: "x", Err: fmt.Errorf("x: %w", dispatch.ErrJobDeleted)},
		outcomePending:   {Channel: "x", Err: dispatch.ErrPending},
		outcomeFailed:    {Channel: "x", Err: errors.New("refused")},
		outcomeDelivered: {Channel: "x"},
		outcomeEdited:    {Channel: "x", Edited: true}, // a correction edited in place
		// Delivered, only its record failed: posting it again would post
		// it twice.
		"delivered_not_recorded": {Channel: "x", Receipt: broadcast.Receipt{ID: "1"},
			Err: broadcast.Permanent(fmt.Errorf("%w: store: mark delivered: disk full", broadcast.ErrNotRecorded))},
	} {
		assert.Equal(t, want, outcome(r), "%v", r.Err)
	}
}

// The failures and pending targets of a channel name each target as its
// error does, a secret from the environment hidden: a webhook host holding
// a token (http://${HOOK_TOKEN}.hooks.example.com/) was answered whole in
// "target", beside an "error" that hid it.
func TestTargetsHideSecrets(t *testing.T) {
	const token = "tok3nvalue42"
	target := func(n string) string { return "http://" + token + "." + n + ".example.com/…#73d9fbfcbf5e" }
	hide := func(s string) string { return strings.ReplaceAll(s, token, "${HOOK_TOKEN}") }
	cs := channels([]broadcast.Result{{Channel: "hooks", Attempts: 2, Err: errors.New("webhook: " + target("b")),
		Pending:  []broadcast.TargetFailure{{Target: target("b"), Err: errors.New("post: " + target("b") + ": 503")}},
		Failures: []broadcast.TargetFailure{{Target: target("c"), Err: errors.New("post: " + target("c") + ": 401")}},
	}}, hide)
	body, err := json.Marshal(cs)
	require.NoError(t, err)
	assert.NotContains(t, string(body), token)
	assert.Contains(t, string(body), `"target":"http://${HOOK_TOKEN}.b.example.com/…#73d9fbfcbf5e"`)
	assert.Contains(t, string(body), `"target":"http://${HOOK_TOKEN}.c.example.com/…#73d9fbfcbf5e"`)
}

// A receipt is answered with the configuration's secrets hidden, as errors
// are: a channel that gives the URL it posted to as the post's link (a
// webhook with credentials from the environment) had it echoed whole,
// user information and token query included, and so did its metadata.
func TestReceiptsHideSecrets(t *testing.T) {
	const password, token = "pw-9f3k2m8q7z", "tok-5h7j2k9w4x1c"
	vars := map[string]string{"HOOK_URL": "https://bot:" + password + "@hooks.example.com/in?token=" + token}
	f, err := config.Loader{LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}.Parse(
		strings.NewReader("channels:\n  - kind: webhook\n    name: hooks\n    url: ${HOOK_URL}\n    allow_unsigned: true\n"), "outagecast.yaml")
	require.NoError(t, err)
	r := broadcast.Receipt{Channel: "hooks", ID: "1", URL: vars["HOOK_URL"],
		Meta: map[string]string{"endpoint": vars["HOOK_URL"], "auth": "token " + token}}
	body, err := json.Marshal(channels([]broadcast.Result{{Channel: "hooks", Attempts: 1, Receipt: r}}, f.Hide))
	require.NoError(t, err)
	assert.NotContains(t, string(body), password)
	assert.NotContains(t, string(body), token)
	assert.Contains(t, string(body), `"id":"1"`)
	// From the Store's receipts, once River forgot the jobs.
	be := newFakeBackend()
	be.channels = []string{"hooks"}
	be.receipts["u-1 hooks"] = r
	st, found, err := status(t.Context(), be, "u-1", f.Hide)
	require.NoError(t, err)
	require.True(t, found)
	body, err = json.Marshal(st)
	require.NoError(t, err)
	assert.NotContains(t, string(body), password)
	assert.NotContains(t, string(body), token)
}
