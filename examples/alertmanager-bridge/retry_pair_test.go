package main

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// The first Alertmanager of a pair has its firing notification answered
// 500 (a channel failed), so it retries it; meanwhile the second sends the
// group's resolution. The first's retry, arriving after the resolution, is
// the notification it was never answered 200 for, not a re-fire: it is
// skipped, the status page saying "Resolved" still. (It was posted as the
// alerts firing again: the record counted a notification answered 500 as
// one its sender would not send again.)
func TestRetryOfANotificationAnswered500IsNoRefire(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, good, flaky)
	flaky.setFail(errors.New("503 upstream down"))
	code, _ := post(t, srv, from(t, "firing.json", am1))
	require.Equal(t, http.StatusInternalServerError, code)
	flaky.setFail(nil)
	postAll(t, srv, from(t, "resolved.json", am2))

	retry := postAll(t, srv, from(t, "firing.json", am1))[0]
	assert.NotEqual(t, "delivered", retry.Results[0].Outcome)
	assert.NotEqual(t, "delivered", retry.Results[1].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}, statuses(good))
	assert.Equal(t, []broadcast.Status{broadcast.StatusResolved}, statuses(flaky))
}
