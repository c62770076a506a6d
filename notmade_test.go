package outagecast_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/internal/notmade"
)

// An adapter's nil *Channel (its New's error dropped) fails Send for good
// with an error naming the type and its New, its Name is "", and
// broadcast.New refuses it naming its place and type. Before, each
// panicked on a nil pointer.
func TestNilChannelOfEachAdapter(t *testing.T) {
	for _, ch := range []broadcast.Channel{(*bluesky.Channel)(nil), (*console.Channel)(nil),
		(*discord.Channel)(nil), (*email.Channel)(nil), (*googlechat.Channel)(nil), (*irc.Channel)(nil),
		(*mastodon.Channel)(nil), (*matrix.Channel)(nil), (*slack.Channel)(nil), (*statuspage.Channel)(nil),
		(*statuspageio.Channel)(nil), (*teams.Channel)(nil), (*telegram.Channel)(nil), (*twitter.Channel)(nil),
		(*webhook.Channel)(nil)} {
		typ := strings.TrimPrefix(fmt.Sprintf("%T", ch), "*")
		t.Run(typ, func(t *testing.T) {
			pkg, _, _ := strings.Cut(typ, ".")
			_, err := ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "t",
				Status: broadcast.StatusInvestigating}))
			assert.ErrorIs(t, err, notmade.ErrNotMade)
			assert.True(t, broadcast.IsPermanent(err))
			assert.EqualError(t, err, pkg+": "+typ+" not made by "+pkg+".New (a nil *"+typ+
				", or a zero one: was the error of "+pkg+".New dropped?)")
			assert.Empty(t, ch.Name())
			_, err = broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
			assert.EqualError(t, err, "broadcast: channels[0]: a nil *"+typ+" (was the error of its constructor dropped?)")
		})
	}
}
