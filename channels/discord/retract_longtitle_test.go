package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction edited in whose title fills the card's title (the
// message's card cuts "Correction: " and the title to 256 characters, the
// first post's card the title alone) and then retracted: the first post's
// card goes back to the update before, where it kept showing the
// retracted correction's status, the two cards' titles being cut at
// different places.
func TestRetractOfCorrectedLatestWithLongTitleRestoresRootCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root, _, third := threeUpdates(t, ch)
	fix := resolvedUpdate
	fix.ID, fix.Corrects, fix.Status = "u_fix", resolvedUpdate.ID, broadcast.StatusIdentified
	fix.Title = "CDN errors in EU " + strings.Repeat("x", broadcast.MaxTitleLength-len("CDN errors in EU "))
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: third}
	_, err := ch.Edit(context.Background(), m, third)
	require.NoError(t, err)
	require.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)

	require.NoError(t, ch.Retract(context.Background(), third))
	assert.Equal(t, "Monitoring", f.message(0).embeds[0].Fields[0].Value, "the update before the retracted one")
}
