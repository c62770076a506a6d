package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A notification the bridge cannot use is refused with an error naming
// the field at fault, so that whoever wrote it (a test payload sent with
// curl, a proxy rewriting it) sees what to change: encoding/json reports
// a bad time without its field ("parsing time …"), and a negative count
// of alerts left out is no count at all (Alertmanager's is unsigned).
func TestBadFieldsAreNamed(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing",`
	const ok = `{"status":"firing","startsAt":"2024-05-14T09:12:30Z","endsAt":"0001-01-01T00:00:00Z"}`
	for _, tt := range []struct{ body, want string }{
		{head + `"alerts":[{"status":"firing","startsAt":"bad"}]}`, `alerts[0].startsAt: want an RFC 3339 date-time, got "bad"`},
		{head + `"alerts":[` + ok + `,{"status":"firing","endsAt":5}]}`, "alerts[1].endsAt: want a string, got a number"},
		{head + `"alerts":[{"status":"firing","startsAt":"2024-13-01T00:00:00Z"}]}`,
			`alerts[0].startsAt: want an RFC 3339 date-time, got "2024-13-01T00:00:00Z"`},
		{head + `"truncatedAlerts":-1,"alerts":[` + ok + `]}`, "truncatedAlerts: -1, want 0 or more"},
		// encoding/json names Go types ("Go struct field alert.labels of
		// type string"), not the payload's fields.
		{head + `"alerts":[{"status":"firing","labels":{"severity":1}}]}`, "alerts[0].labels: want string values, got a number"},
		{head + `"alerts":[{"status":1}]}`, "alerts[0].status: want a string, got a number"},
		{head + `"alerts":[{"status":"firing","annotations":[]}]}`, "alerts[0].annotations: want an object, got a list"},
		{head + `"alerts":[5]}`, "alerts[0]: want an object, got a number"},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), tt.want, tt.body)
	}
	p, err := decodePayload(strings.NewReader(head + `"alerts":[` + ok + `]}`))
	require.NoError(t, err)
	assert.Len(t, p.Alerts, 1)
}

// A body that is empty, or ends before the notification does, says so,
// rather than "EOF".
func TestCutShortBodySaysSo(t *testing.T) {
	for body, want := range map[string]string{
		"":                               "empty body",
		"   ":                            "empty body",
		`{"version":"4",`:                "the body ends before the notification does",
		`{"version":"4","alerts":[{"sta`: "the body ends before the notification does",
		`{"version":"4","alerts":[`:      "the body ends before the notification does",
	} {
		_, err := decodePayload(strings.NewReader(body))
		require.Error(t, err, "%q", body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), want, "%q", body)
		assert.NotContains(t, err.Error(), "EOF", "%q", body)
	}
}

// The notification's own fields are refused in the payload's words too,
// not in encoding/json's Go types ("Go value of type map[string]string").
func TestBadTopLevelFieldsAreNamed(t *testing.T) {
	const alerts = `"alerts":[{"status":"firing"}]`
	for _, tt := range []struct{ body, want string }{
		{`{"version":4,"groupKey":"g","status":"firing",` + alerts + `}`, "version: want a string, got a number"},
		{`{"version":"4","groupKey":["g"],"status":"firing",` + alerts + `}`, "groupKey: want a string, got a list"},
		{`{"version":"4","groupKey":"g","status":"firing","truncatedAlerts":"2",` + alerts + `}`,
			"truncatedAlerts: want a number, got a string"},
		{`{"version":"4","groupKey":"g","status":"firing","truncatedAlerts":1.5,` + alerts + `}`,
			"truncatedAlerts: want a whole number, got 1.5"},
		{`{"version":"4","groupKey":"g","status":"firing","commonLabels":[],` + alerts + `}`, "commonLabels: want an object, got a list"},
		{`{"version":"4","groupKey":"g","status":"firing","commonAnnotations":{"summary":1},` + alerts + `}`,
			"commonAnnotations: want string values, got a number"},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), tt.want, tt.body)
		assert.NotContains(t, err.Error(), "Go value", tt.body)
	}
}
