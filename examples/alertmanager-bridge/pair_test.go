package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// Both Alertmanagers of a pair sent the firing notification, the first
// the resolution (the second's deduplicated away), and the group fires
// again: the re-fire that arrives first, or only, from the second was
// skipped as a late copy, the status page saying "Resolved" while the
// alerts fired. The second had its firing notification answered before
// the resolution went out, and an Alertmanager does not send again a
// notification it was answered: the same one from it now is a new flush,
// the alerts firing again. It is posted, once; the first's copy of it is
// that update.
func TestRefireFromTheOtherAlertmanagerOfAPairIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "firing.json", am2), from(t, "resolved.json", am1),
		from(t, "firing.json", am2), // the re-fire, first from the second
		from(t, "firing.json", am1)) // the pair's other copy of it
	first, refire, copied := got[0], got[3], got[4]
	assert.Equal(t, "delivered", refire.Results[0].Outcome, "the re-fire")
	assert.NotEqual(t, first.UpdateID, refire.UpdateID)
	assert.Equal(t, refire.UpdateID, copied.UpdateID)
	assert.Equal(t, "skipped", copied.Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
}

// The second Alertmanager of a pair, cut off while the first sent a
// group's firing, resolved and firing-again notifications, delivers its
// own late copies of the first two: the firing one, which says what the
// latest update says, counted it among the senders of that update, and
// the resolved one after it was posted again as if the group had resolved
// once more.
func TestLateCopiesFromACutOffAlertmanagerAreNotPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	logs := &syncbuf.Buffer{}
	_, srv := refireBridge(t, logs, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1), from(t, "firing.json", am1),
		from(t, "firing.json", am2), from(t, "resolved.json", am2)) // the late copies
	assert.Equal(t, got[2].UpdateID, got[3].UpdateID, "the firing copy is the latest update")
	assert.Equal(t, "skipped", got[3].Results[0].Outcome)
	assert.Equal(t, "skipped", got[4].Results[0].Outcome, "the resolved copy")
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
	assert.Contains(t, logs.String(), "skipped as a possible late copy")

	// The first Alertmanager's resolution after that is posted.
	again := postAll(t, srv, from(t, "resolved.json", am1))[0]
	assert.Equal(t, "delivered", again.Results[0].Outcome)
	assert.Len(t, ch.sent(), 4)
}

// Two late copies of the first firing notification from the Alertmanager
// that was cut off: neither is posted after the resolution, the second
// (its retry, the answer to the first lost in the partition) no more than
// the first.
func TestTwoLateCopiesOfAnOlderNotificationAreSkipped(t *testing.T) {
	ch := &recorder{name: "status"}
	_, srv := refireBridge(t, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am1), from(t, "resolved.json", am1),
		from(t, "firing.json", am2), from(t, "firing.json", am2))
	assert.Equal(t, "skipped", got[2].Results[0].Outcome)
	assert.Equal(t, "skipped", got[3].Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}, statuses(ch))
}
