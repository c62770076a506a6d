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

// A receipt's link keeps what is no credential and loses what is, though
// no secret of the configuration is in it: a platform's answer may carry
// one of its own.
func TestReceiptLinkWithoutCredentials(t *testing.T) {
	for link, want := range map[string]string{
		"": "",
		"https://x.com/acme/status/1790000000000000000":      "https://x.com/acme/status/1790000000000000000",
		"https://chat.example.com/p/1?thread=7&page=2":       "https://chat.example.com/p/1?thread=7&page=2",
		"https://bot:hunter22@chat.example.com/p/1":          "https://chat.example.com/p/1",
		"https://TOKEN0123456789ab@chat.example.com/p/1":     "https://chat.example.com/p/1",
		"https://chat.example.com/p/1?access_token=abcd&x=1": "https://chat.example.com/p/1?access_token=REDACTED&x=1",
		"https://chat.example.com/p/1?sig=Zm9vYmFyYmF6cXV4":  "https://chat.example.com/p/1?sig=REDACTED",
		"https://chat.example.com/p/1?a1b2c3d4e5f6g7h8":      "https://chat.example.com/p/1?REDACTED",
		"https://bot:1234/x@chat.example.com/p/1":            "REDACTED", // user information cut short: where does it end?
		"https://chat.example.com/%zz":                       "REDACTED",
		// A fragment of name=value pairs (OAuth's implicit grant answers
		// #access_token=…) is judged as a query is; an anchor is left alone.
		"https://chat.example.com/cb#access_token=abcd&expires_in=3600": "https://chat.example.com/cb#access_token=REDACTED&expires_in=3600",
		"https://chat.example.com/p/1#state=x&code=a1b2c3d4e5f6":        "https://chat.example.com/p/1#state=x&code=REDACTED",
		"https://github.com/o/r/issues/1#issuecomment-1234567890":       "https://github.com/o/r/issues/1#issuecomment-1234567890",
	} {
		assert.Equal(t, want, withoutCredentials(link), link)
	}
}
