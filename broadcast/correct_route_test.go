package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction reaches every channel the original reached, whatever its
// routed fields now say: the wrong post is out there, and its readers are
// the ones who must see the fix. Here an SMS route that takes the first
// and the resolved update posted the first one; its correction is no
// longer the incident's first post on the channel, and its status is not
// resolved. And an X route for investigating and resolved posted an update
// whose status was wrong; the correction fixing the status edits it there.
func TestCorrectReachesWhereTheOriginalWent(t *testing.T) {
	sms := &script{name: "sms"}
	x := &editable{script: script{name: "x"}}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"sms": {Statuses: []broadcast.Status{broadcast.StatusResolved}, First: true},
		"x":   {Statuses: []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved}},
	}}, sms, x)
	wrong := validUpdate()
	rep, err := b.Send(context.Background(), wrong)
	require.NoError(t, err)
	require.Equal(t, 1, sms.count())
	require.Equal(t, 1, x.count())

	fixed := validUpdate()
	fixed.Status = broadcast.StatusIdentified
	fixed.Body = "We identified the cause: a bad CDN configuration."
	rep, err = b.Correct(context.Background(), rep.UpdateID, fixed)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].NotSelected, "sms posted the original")
	assert.Equal(t, 2, sms.count(), "the correction is posted in the SMS thread")
	assert.False(t, rep.Results[1].NotSelected, "x posted the original")
	assert.Len(t, x.edits, 1, "the X post is edited in place")
}
