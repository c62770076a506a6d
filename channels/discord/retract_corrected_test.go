package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The latest update corrected in place and then retracted: the first
// post's card, which showed the correction, goes back to the update
// before, where it kept showing the retracted update's corrected status
// (the Broadcaster keeps the original's receipt, made before the
// correction).
func TestRetractOfCorrectedLatestRestoresRootCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root, second, third := threeUpdates(t, ch)
	fix := resolvedUpdate
	fix.ID, fix.Corrects, fix.Status = "u_fix", resolvedUpdate.ID, broadcast.StatusIdentified
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: third}
	_, err := ch.Edit(context.Background(), m, third)
	require.NoError(t, err)
	require.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
	require.Equal(t, "Correction: CDN errors in EU", f.message(2).embeds[0].Title)

	require.NoError(t, ch.Retract(context.Background(), third))
	card := f.message(0).embeds[0]
	assert.Equal(t, "Monitoring", card.Fields[0].Value, "the update before the retracted one")
	assert.Equal(t, second.ID, f.message(1).id)
}
