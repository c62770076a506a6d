package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A receipt naming a record of the account that is not a post (its
// profile, a follow, a like: a receipt written by hand, or damaged in a
// store) is refused, Permanent, and no deletion is sent. Before, Retract
// deleted whatever record the receipt named: the account's profile
// (app.bsky.actor.profile/self) lost its name, description and avatar.
func TestRetractRefusesRecordThatIsNotAPost(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	for _, uri := range []string{
		"at://" + testDID + "/app.bsky.actor.profile/self",
		"at://" + testDID + "/app.bsky.graph.follow/3lkf5cbqw2a2k",
	} {
		err := ch.Retract(context.Background(), broadcast.Receipt{Channel: ch.Name(), ID: uri, Meta: map[string]string{"uri": uri}})
		require.Error(t, err, uri)
		assert.True(t, broadcast.IsPermanent(err), uri)
		assert.Contains(t, err.Error(), "not a post", uri)
	}
	assert.Empty(t, f.received("com.atproto.repo.deleteRecord"))
}
