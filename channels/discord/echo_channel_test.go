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

// An answer to the read of the first post's card that quotes the token
// (an echo of the request) is not taken for the card: the receipt of the
// update that takes the card over keeps the first post's own card as the
// receipts recorded it, with no token in it. Before, the card read was
// packed into the receipt's Meta ("first_form", deflated, where no
// redaction sees it), to be put back on the first post by a retraction.
func TestEchoedCardIsNotKept(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	// The Send's requests: the post, the read of the first post's card,
	// the edit of that card.
	f.answerAfter(1, canned{status: 200, body: `{"id": "` + root.ID + `", "channel_id": "` + parentID +
		`", "embeds": [{"title": "CDN errors in EU ` + testToken + `", "color": 1, "fields": [{"name": "Status", "value": "Identified"}]}]}`})
	r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	require.NotEmpty(t, r.Meta[metaFirstForm])
	first, ok := unpackCard(r.Meta[metaFirstForm])
	require.True(t, ok)
	channeltest.AssertNoSecret(t, first.Title, testToken)
	assert.Equal(t, "CDN errors in EU", first.Title, "the first post's own card, as recorded")
}
