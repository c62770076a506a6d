package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A resolved notification of a group whose firing one the bridge has no
// post of on record (it started late, or its store was lost) is posted:
// customers who noticed the outage get its acknowledgement. As it may be
// the first they read of the incident, it says what the alerts reported,
// not only "resolved". A retry of it says the same on the channel it
// missed, though the other channel has posted it by then.
func TestResolvedWithoutEarlierPostSaysWhatHappened(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	flaky.setFail(errors.New("503 upstream down"))
	srv := bridge(t, mapping{}, good, flaky)
	code, _ := post(t, srv, sample(t, "resolved.json"))
	require.Equal(t, http.StatusInternalServerError, code)
	flaky.setFail(nil)
	code, _ = post(t, srv, sample(t, "resolved.json")) // Alertmanager's retry
	require.Equal(t, http.StatusOK, code)

	want := "This incident has been resolved. While it lasted, the alerts reported:\n\n" +
		"5.2% of requests to edge-fra-1 fail with a 5xx status.\n\n" +
		"3.8% of requests to edge-ams-2 fail with a 5xx status."
	for _, ch := range []*recorder{good, flaky} {
		require.Len(t, ch.sent(), 1, ch.name)
		u := ch.sent()[0].Update
		assert.Equal(t, broadcast.StatusResolved, u.Status, ch.name)
		assert.Equal(t, want, u.Body, ch.name)
	}
}

// Of alerts that reported nothing (no description, message or summary),
// the resolved update of a group not on record says only that it resolved:
// not "the alerts reported:" with nothing after it.
func TestResolvedWithoutEarlierPostNorDescriptions(t *testing.T) {
	ch := &recorder{name: "good"}
	srv := bridge(t, mapping{}, ch)
	body := `{"version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "status": "resolved",
		"commonLabels": {"alertname": "DiskFull"},
		"alerts": [{"status": "resolved", "labels": {"alertname": "DiskFull"}, "fingerprint": "f1",
			"startsAt": "2026-01-02T03:04:05Z", "endsAt": "2026-01-02T04:04:05Z"}]}`
	code, _ := post(t, srv, []byte(body))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 1)
	assert.Equal(t, resolvedBody, ch.sent()[0].Update.Body)
}

// Once the firing update is on record, the resolved one only says so (see
// also TestFiringThenResolved); so it does on a channel that missed the
// firing update while another posted it.
func TestResolvedAfterAnnouncedFiringIsShort(t *testing.T) {
	good, late := &recorder{name: "good"}, &recorder{name: "late"}
	late.setFail(broadcast.Permanent(errors.New("401 bad token")))
	srv := bridge(t, mapping{}, good, late)
	post(t, srv, sample(t, "firing.json"))
	late.setFail(nil)
	code, _ := post(t, srv, sample(t, "resolved.json"))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, late.sent(), 1)
	assert.Equal(t, resolvedBody, late.sent()[0].Update.Body)
	assert.False(t, strings.Contains(good.sent()[1].Update.Body, "alerts reported"))
}
