package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// perChat is a Retractor whose posts are numbered per chat, as Telegram's
// message IDs are: posts in two chats, or on two channels, can share an
// ID. Send answers with the receipt of the update's entry in posts.
type perChat struct {
	name  string
	posts map[string]broadcast.Receipt // by update ID

	mu      sync.Mutex
	threads map[string]broadcast.Thread // by update ID: the Thread Send was given
}

func (p *perChat) Name() string { return p.name }

func (p *perChat) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.threads[m.Update.ID] = m.Thread
	return p.posts[m.Update.ID], nil
}

func (p *perChat) Retract(context.Context, broadcast.Receipt) error { return nil }

// The retraction of a post leaves alone another post that shares its ID:
// on another channel, or in another chat of the same channel (Telegram
// numbers messages per chat; the receipt's Meta says which chat).
func TestRetractLeavesAPostSharingItsIDAlone(t *testing.T) {
	inChat := func(chat string) broadcast.Receipt {
		return broadcast.Receipt{ID: "5", Meta: map[string]string{"chat": chat}}
	}
	t.Run("two chats of one channel", func(t *testing.T) {
		ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
			posts: map[string]broadcast.Receipt{"a1": inChat("ops"), "b1": inChat("status"), "b2": inChat("status")}}
		b := newBroadcaster(t, broadcast.Options{}, ch)
		send(t, b, "a1", "inc-a")
		send(t, b, "b1", "inc-b")
		_, err := b.Retract(context.Background(), "a1")
		require.NoError(t, err)
		send(t, b, "b2", "inc-b")
		assert.Equal(t, "status", ch.threads["b2"].Last.Meta["chat"], "b2 replies to b1, which is still there")
	})
	t.Run("two channels", func(t *testing.T) {
		one := &perChat{name: "tg-one", threads: map[string]broadcast.Thread{},
			posts: map[string]broadcast.Receipt{"a1": inChat("ops")}}
		two := &perChat{name: "tg-two", threads: map[string]broadcast.Thread{},
			posts: map[string]broadcast.Receipt{"a1": inChat("ops"), "a2": inChat("ops")}}
		store := broadcast.NewMemoryStore() // one Store, two Broadcasters: Retract on one channel only
		b := newBroadcaster(t, broadcast.Options{Store: store}, one)
		other := newBroadcaster(t, broadcast.Options{Store: store}, two)
		send(t, b, "a1", "inc-a")
		send(t, other, "a1", "inc-a")
		_, err := b.Retract(context.Background(), "a1")
		require.NoError(t, err)
		send(t, other, "a2", "inc-a")
		assert.Equal(t, "5", two.threads["a2"].Last.ID, "a2 replies to tg-two's post, which is still there")
	})
}

func send(t *testing.T, b *broadcast.Broadcaster, id, incident string) {
	t.Helper()
	u := validUpdate()
	u.ID, u.IncidentID = id, incident
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
}
