package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A receipt of another account's post (the channel's account changed in
// the configuration since the post was made) cannot be retracted with
// this login: Retract says whose post it is and which account the
// channel is logged in as, Permanent, and asks the server nothing. Before,
// it sent the deletion, and the server's 401 read "the server refused the
// credentials", which sent the user to renew an app password that was
// right.
func TestRetractOtherAccountsPost(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	const other = "did:plc:vwzwgnygau7ed7b7wt5ux7y2"
	err := ch.Retract(context.Background(), broadcast.Receipt{Channel: ch.Name(), ID: "at://" + other + "/app.bsky.feed.post/3lkf5cbqw2a2k"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, `bluesky: delete: the post is of the account "`+other+`", not of the one Config.Identifier logs in as ("`+testDID+
		`"): a channel deletes only its own account's posts`, err.Error())
	assert.Empty(t, f.received("com.atproto.repo.deleteRecord"))
}
