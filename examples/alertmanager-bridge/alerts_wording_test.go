package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Alertmanager always sends "alerts" as a list of one alert or more. A
// notification whose alerts are null, absent or another value is refused
// saying what it holds, not "not a list" (null is no list either, but the
// sender should learn it wrote null) or "none" (nothing was written).
func TestAlertsNotAListSaysWhatItIs(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing"`
	for _, tt := range []struct{ body, want string }{
		{head + `,"alerts":null}`, "alerts: want a list of alerts, got null"},
		{head + `,"alerts":{}}`, "alerts: want a list of alerts, got an object"},
		{head + `,"alerts":"x"}`, "alerts: want a list of alerts, got a string"},
		{head + `,"alerts":1}`, "alerts: want a list of alerts, got a number"},
		{head + `,"alerts":true}`, "alerts: want a list of alerts, got true or false"},
		{head + `}`, "alerts: missing"},
		{head + `,"alerts":[]}`, "alerts: none"},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), tt.want, tt.body)
		assert.NotContains(t, err.Error(), "not a list", tt.body)
	}
}

// Alertmanager writes its keys in one case ("status", "startsAt"). A key
// that differs from one of them only in case ("Status", "STATUS") is
// refused naming it, in an alert as in the notification: encoding/json
// matched an alert's keys regardless of case, so that "Status" was read as
// "status" while the notification's "Status" was ignored, and a "STATUS":
// null was refused as an unknown value "" the body does not hold.
func TestKeysInAnotherCaseAreRefused(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing",`
	const ok = `{"status":"firing","startsAt":"2024-05-14T09:12:30Z"}`
	for _, tt := range []struct{ body, want string }{
		{head + `"alerts":[{"Status":"firing"}]}`, `alerts[0].Status: unknown field, want "status" (keys are case-sensitive)`},
		{head + `"alerts":[{"STATUS":null}]}`, `alerts[0].STATUS: unknown field, want "status" (keys are case-sensitive)`},
		{head + `"alerts":[` + ok + `,{"status":"firing","StartsAt":"2024-05-14T09:12:30Z"}]}`,
			`alerts[1].StartsAt: unknown field, want "startsAt" (keys are case-sensitive)`},
		{head + `"alerts":[{"status":"firing","labels":{},"Labels":{"a":"b"}}]}`, `alerts[0].Labels: unknown field, want "labels" (keys are case-sensitive)`},
		{`{"version":"4","groupKey":"g","Status":"firing","alerts":[` + ok + `]}`, `Status: unknown field, want "status" (keys are case-sensitive)`},
		{`{"version":"4","groupKey":"g","status":"firing","ALERTS":[` + ok + `]}`, `ALERTS: unknown field, want "alerts" (keys are case-sensitive)`},
		{`{"Version":"4","groupKey":"g","status":"firing","alerts":[` + ok + `]}`, `Version: unknown field, want "version" (keys are case-sensitive)`},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), tt.want, tt.body)
	}
}

// A field the bridge needs that the notification leaves out is refused as
// missing, not as an unknown value "" the body does not hold.
func TestMissingFieldsAreMissing(t *testing.T) {
	const ok = `{"status":"firing"}`
	for _, tt := range []struct{ body, want string }{
		{`{"version":"4","groupKey":"g","status":"firing","alerts":[{}]}`, "alerts[0].status: missing"},
		{`{"version":"4","groupKey":"g","alerts":[` + ok + `]}`, "status: missing"},
		{`{"groupKey":"g","status":"firing","alerts":[` + ok + `]}`, `version: missing (want "4")`},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.Equal(t, "bad payload: "+tt.want, err.Error(), tt.body)
	}
}
