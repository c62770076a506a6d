//go:build integration

package matrix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/matrix"
)

// A post is found among the account's latest events in the room by its
// transaction ID, as a retry whose earlier answer was lost looks for it
// once the homeserver may have forgotten the transaction ID: by a channel
// of the same access token (after a restart, here), past a later post of
// the account; not by another login's token, which Dendrite does not give
// the transaction ID.
func TestIntegrationPostFoundByTransactionID(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.bot.room(s.reader)
	ch := newChannel(t, s, s.botToken, room)
	m := broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "Found by its transaction ID."))
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	_, err = ch.Send(ctx, broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "A later post.")))
	require.NoError(t, err)

	restarted := newChannel(t, s, s.botToken, room)
	var found string
	var ok bool
	settle(func() bool {
		found, ok, err = matrix.SentFor(ctx, restarted, m, room, room)
		return err == nil && ok
	})
	require.NoError(t, err)
	assert.True(t, ok, "the post is found by its transaction ID")
	assert.Equal(t, r.ID, found)

	var login struct {
		AccessToken string `json:"access_token"`
	}
	s.as("").must("POST", "/_matrix/client/v3/login", map[string]any{"type": "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": s.botUserID}, "password": s.password}, &login)
	fresh := s.as(login.AccessToken)
	t.Cleanup(func() { fresh.call("POST", "/_matrix/client/v3/logout", map[string]any{}, nil) })
	_, ok, err = matrix.SentFor(ctx, newChannel(t, s, login.AccessToken, room), m, room, room)
	require.NoError(t, err)
	assert.False(t, ok, "another login's token is not given the transaction ID")
}
