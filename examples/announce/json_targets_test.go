package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// -json names each target as the table and the errors do, a secret from
// the environment hidden: a webhook's host that holds a token
// (http://${HOOK_TOKEN}.hooks.example.com/) was printed whole in the
// targets delivered, pending and failed, though hidden in their errors.
func TestJSONTargetsHideSecrets(t *testing.T) {
	const token = "tok3nvalue42"
	target := func(n string) string { return "http://" + token + "." + n + ".example.com/…#73d9fbfcbf5e" }
	rep := &broadcast.Report{UpdateID: "u1", IncidentID: "inc", Results: []broadcast.Result{{
		Channel: "hooks", Attempts: 2, Err: errors.New("webhook: 2 of 3 targets not delivered: " + target("b")),
		Delivered: []string{target("a")},
		Pending:   []broadcast.TargetFailure{{Target: target("b"), Err: errors.New("post: " + target("b") + ": 503")}},
		Failures:  []broadcast.TargetFailure{{Target: target("c"), Err: errors.New("post: " + target("c") + ": 401")}},
	}}}
	s := summary{rep: rep, show: func(_, text string) string { return strings.ReplaceAll(text, token, "${HOOK_TOKEN}") }}

	var w bytes.Buffer
	require.NoError(t, s.printJSON(&w))
	assert.NotContains(t, w.String(), token)
	for _, n := range []string{"a", "b", "c"} {
		assert.Contains(t, w.String(), `"http://${HOOK_TOKEN}.`+n+`.example.com/…#73d9fbfcbf5e"`)
	}
}
