package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A 2xx answer whose channel_id is no Discord id (an echo of the
// request's path there, token and all) still delivers the message its id
// names, but its channel_id is not taken: neither the Receipt's Meta nor
// its thread holds the token. Before, the channel_id went into the
// Receipt as it came, and in a forum became the post's thread.
func TestAnswerEchoingChannelIDKeepsTokenOut(t *testing.T) {
	for _, forum := range []bool{false, true} {
		f := newFake(t, fakeOptions{forum: forum})
		ch := newChannel(t, f, nil)
		f.answer(canned{status: 200, body: `{"id": "1300000000000000042", "channel_id": "webhooks/` + testID + `/` + testToken +
			`", "guild_id": "` + guildID + `"}`})
		r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
		require.NoError(t, err, "forum %v", forum)
		assert.Equal(t, "1300000000000000042", r.ID)
		for k, v := range r.Meta {
			channeltest.AssertNoSecret(t, k+"="+v, testToken)
		}
		assert.NotContains(t, r.Meta, metaChannel)
		channeltest.AssertNoSecret(t, r.URL, testToken)
	}
}
