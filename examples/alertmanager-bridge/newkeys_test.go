package main

import (
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Alertmanager's webhook notifier encodes its Message (notify/webhook)
// with the keys of template.Data, which later versions extend: a
// notification of a current Alertmanager also holds "notification_reason"
// and "routeLabels". Keys the bridge does not know, that differ from its
// own in more than case, are read past, in the notification and in an
// alert, wherever they come; a key given twice is read as encoding/json
// reads it, the last one counting.
func TestLaterAlertmanagerKeysAccepted(t *testing.T) {
	const alert = `{"status":"firing","labels":{"alertname":"DiskFull"},"annotations":{},` +
		`"startsAt":"2026-05-14T09:12:30Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"",` +
		`"fingerprint":"f1","silencedBy":["x"],"Status2":{}}`
	body := `{"receiver":"r","status":"firing","alerts":[` + alert + `],"notification_reason":"new",` +
		`"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"routeLabels":{"team":"db"},` +
		`"externalURL":"http://am.example","version":"4","groupKey":"{}:{}","truncatedAlerts":0}`
	p, err := decodePayload(strings.NewReader(body))
	require.NoError(t, err)
	assert.Equal(t, statusFiring, p.Status)
	require.Len(t, p.Alerts, 1)
	assert.Equal(t, statusFiring, p.Alerts[0].Status)

	twice := strings.Replace(body, `"status":"firing","alerts"`, `"status":"firing","status":"resolved","alerts"`, 1)
	p, err = decodePayload(strings.NewReader(twice))
	require.NoError(t, err)
	assert.Equal(t, statusResolved, p.Status)
}

// The answer's write timeout (body time + -timeout + 10s) is kept up to
// the largest duration and taken as none one nanosecond past it, where
// the sum would wrap negative.
func TestWriteTimeoutAtTheLimit(t *testing.T) {
	const maxBody = 32 << 20
	edge := time.Duration(math.MaxInt64) - bodyTime(maxBody) - 10*time.Second
	for _, tt := range []struct {
		timeout, want time.Duration
	}{
		{edge, math.MaxInt64},
		{edge + 1, 0},
		{edge - 1, math.MaxInt64 - 1},
	} {
		h := &handler{timeout: tt.timeout, maxBody: maxBody, log: slog.New(slog.DiscardHandler)}
		assert.Equal(t, tt.want, newServer(h, h.log).WriteTimeout, "-timeout %v", tt.timeout)
	}
}
