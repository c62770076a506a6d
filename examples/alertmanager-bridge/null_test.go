package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A null where the bridge needs a value is refused as what the sender
// wrote: null. Before, encoding/json left the value as it was, and the
// check refused the empty value it found (`alerts[0].status: unknown
// value ""`), which the body does not hold.
func TestNullIsRefusedAsNull(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing",`
	const ok = `{"status":"firing","startsAt":"2024-05-14T09:12:30Z"}`
	for _, tt := range []struct{ body, want string }{
		{head + `"alerts":[null]}`, "alerts[0]: want an object, got null"},
		{head + `"alerts":[` + ok + `,null]}`, "alerts[1]: want an object, got null"},
		{head + `"alerts":[{"status":null}]}`, "alerts[0].status: want a string, got null"},
		{`{"version":"4","groupKey":"g","status":null,"alerts":[` + ok + `]}`, "status: want a string, got null"},
		{`{"version":null,"groupKey":"g","status":"firing","alerts":[` + ok + `]}`, "version: want a string, got null"},
		{`{"version":"4","groupKey":null,"status":"firing","alerts":[` + ok + `]}`, "groupKey: want a string, got null"},
	} {
		_, err := decodePayload(strings.NewReader(tt.body))
		require.Error(t, err, tt.body)
		assert.True(t, errors.Is(err, errPayload), "%v", err)
		assert.Contains(t, err.Error(), tt.want, tt.body)
		assert.NotContains(t, err.Error(), `""`, tt.body)
	}
}

// A null the bridge can do without is taken as the field's absence, as
// encoding/json takes it: labels, annotations, a label's value, an
// alert's times and fingerprint, the notification's label sets.
func TestNullOfAnOptionalFieldIsAbsence(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing","groupLabels":null,"commonLabels":null,"commonAnnotations":null,"receiver":null,"externalURL":null,`
	p, err := decodePayload(strings.NewReader(head + `"alerts":[{"status":"firing","labels":null,"annotations":null,"startsAt":null,"endsAt":null,"fingerprint":null,"generatorURL":null},` +
		`{"status":"resolved","labels":{"alertname":null,"severity":"page"},"annotations":{"summary":null}}]}`))
	require.NoError(t, err)
	require.Len(t, p.Alerts, 2)
	assert.Empty(t, p.Alerts[0].Labels)
	assert.Equal(t, "page", p.Alerts[1].Labels["severity"])
	assert.Empty(t, p.Alerts[1].Labels["alertname"])
}
