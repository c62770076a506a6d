package mastodon

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// When the incident's latest status is gone (deleted in the web app) but
// its first is up, the update replies to the first: the incident stays
// one thread. Before, the update started a new thread, which readers of
// the incident's thread never saw. On every server: Mastodon, GoToSocial,
// and Pleroma and Akkoma, which keep each refusal under its key; a retry
// after a lost answer finds the same status.
func TestSendReplyToRootWhenLatestIsGone(t *testing.T) {
	for _, server := range []string{"Mastodon", "GoToSocial", "Pleroma", "Akkoma"} {
		t.Run(server, func(t *testing.T) {
			f := newFakeMastodon(t)
			f.set(func(f *fakeMastodon) {
				f.gts = server == "GoToSocial"
				f.pleroma, f.akkoma = server == "Pleroma" || server == "Akkoma", server == "Akkoma"
				f.maxChars = 5000
			})
			ch := newTestChannel(t, f)
			send := func(i int, th broadcast.Thread) broadcast.Receipt {
				t.Helper()
				u := testUpdate()
				u.ID, u.Body = "", u.Body+" "+string(rune('A'+i))
				u.Time = fixedNow.Add(time.Duration(i) * time.Minute)
				m := broadcast.NewMessage(u)
				m.Thread = th
				r, err := ch.Send(context.Background(), m)
				require.NoError(t, err)
				return r
			}
			first := send(0, broadcast.Thread{})
			second := send(1, broadcast.Thread{Root: first, Last: first})
			require.NoError(t, ch.Retract(context.Background(), second))

			u := testUpdate()
			u.ID, u.Body = "", u.Body+" C"
			u.Time = fixedNow.Add(2 * time.Minute)
			m := broadcast.NewMessage(u)
			m.Thread = broadcast.Thread{Root: first, Last: second}
			third, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			got := f.Received()
			assert.Equal(t, first.ID, got[len(got)-1].ReplyTo, "a reply to the incident's first status")
			assert.Equal(t, map[string]string{"reply_dropped": second.ID}, third.Meta)

			m.Attempt = 2 // as after a lost answer
			again, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, third.ID, again.ID, "the same status, not a second one")
			assert.Equal(t, 3, f.statusCount())
		})
	}
}
