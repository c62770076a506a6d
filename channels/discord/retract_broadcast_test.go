package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Through a Broadcaster, as users call it: the receipts it stores carry
// what a retraction needs to set the first post's card back.
func TestBroadcasterRetractRestoresRootCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for i, s := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := fullUpdate
		u.ID, u.Status, u.Time, u.NextUpdate = "u"+string(rune('1'+i)), s, now.Add(time.Duration(i-3)*time.Minute), time.Time{}
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)
	_, err = b.Retract(ctx, "u3")
	require.NoError(t, err)
	assert.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
	_, err = b.Retract(ctx, "u2")
	require.NoError(t, err)
	assert.Equal(t, "Investigating", f.message(0).embeds[0].Fields[0].Value)
}
