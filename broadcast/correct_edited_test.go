package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Whether a channel is an Editor decides whether a correction edits the
// post or posts "Correction: …" anew in the thread; the Result says which,
// so a caller can tell readers which posts still show the wrong text.
func TestCorrectResultSaysEdited(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	irc := &script{name: "irc"}
	hidden := &editable{script: script{name: "hidden"}} // wrapped, its Editor hidden on purpose
	var mu sync.Mutex
	edited := map[string]bool{} // EventDelivered's Edited, by channel
	onEvent := func(e broadcast.Event) {
		if e.Kind == broadcast.EventDelivered {
			mu.Lock()
			defer mu.Unlock()
			edited[e.Channel] = e.Edited
		}
	}
	b := newBroadcaster(t, broadcast.Options{OnEvent: onEvent}, slack, irc, hidingOnPurpose{hidden})
	ctx := context.Background()
	rep, err := b.Send(ctx, validUpdate())
	require.NoError(t, err)
	fixed := validUpdate()
	fixed.Body = "Fixed."
	corr, err := b.Correct(ctx, rep.UpdateID, fixed)
	require.NoError(t, err)
	assert.True(t, corr.Results[0].Edited, "the Editor edited in place")
	assert.False(t, corr.Results[1].Edited, "the others posted the correction anew")
	assert.False(t, corr.Results[2].Edited)
	mu.Lock()
	assert.Equal(t, map[string]bool{"slack": true, "irc": false, "hidden": false}, edited, "the events say it too")
	mu.Unlock()
	for _, r := range rep.Results {
		assert.False(t, r.Edited, "a Send edits nothing")
	}
}
