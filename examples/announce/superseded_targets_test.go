package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A channel that left out targets a newer update of the incident reached
// first says which, in the text and in -json: the update delivered, but
// not to everyone, and a re-run does not change that.
func TestSupersededTargetsAreShown(t *testing.T) {
	rep := &broadcast.Report{UpdateID: "u1", IncidentID: "inc", Results: []broadcast.Result{
		{Channel: "email", Attempts: 1, Delivered: []string{"ada@example.com"},
			SupersededTargets: []string{"bob@example.com"}},
	}}
	s := summary{rep: rep, show: func(_, text string) string { return text }}

	var w bytes.Buffer
	s.printFailures(&w)
	assert.Equal(t, "announce: email: not sent to 1 target that a newer update of the incident reached first: "+
		"bob@example.com\n", w.String())

	w.Reset()
	require.NoError(t, s.printJSON(&w))
	var out struct {
		Results []struct {
			Superseded []string `json:"superseded_targets"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(w.Bytes(), &out))
	require.Len(t, out.Results, 1)
	assert.Equal(t, []string{"bob@example.com"}, out.Results[0].Superseded)
}
