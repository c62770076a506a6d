package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A chat is a supergroup or a channel by its id's value (-10^12 less the
// channel's number), not by the id's first digits: an old basic group's
// id may start "-100" too ("-100123456"), and its messages have no link;
// t.me/c/123456/… would open another chat's message. A channel of a small
// number is linked by that number, without zeros before it.
func TestLinkOnlyForSupergroupsAndChannels(t *testing.T) {
	const oldGroup, smallChannel = int64(-100123456), int64(-1000000012345)
	f := newFakeBot(t)
	f.set(func(f *fakeBot) {
		f.chats[oldGroup] = &fakeChat{id: oldGroup, typ: "group"}
		f.chats[smallChannel] = &fakeChat{id: smallChannel, typ: "channel"}
	})
	for chat, want := range map[string]string{"-100123456": "", "-1000000012345": "https://t.me/c/12345/1"} {
		t.Run(chat, func(t *testing.T) {
			ch := newTestChannel(t, f, []string{chat})
			r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			assert.Equal(t, "1", r.ID)
			assert.Equal(t, want, r.URL)
		})
	}
	assert.Equal(t, "https://t.me/c/1111111111/7", posted{chatID: channelID, messageID: 7}.link())
	assert.Empty(t, posted{chatID: groupID, messageID: 7}.link())
	assert.Empty(t, posted{chatID: 12345, messageID: 7}.link(), "a private chat")
}
