package broadcast_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// After the retraction of an incident's first post, the post made next
// starts the thread anew (a channel that threads under the first post
// has none to thread under), and every later update threads under that
// one: the incident does not start a new thread at each update.
func TestThreadAfterTheFirstPostIsRetracted(t *testing.T) {
	for _, tt := range []struct {
		name    string
		before  int // updates of the incident sent before the retraction of the first
		restart string
	}{
		{"the only post retracted", 1, "slack-2"},
		{"the first of two retracted", 2, "slack-3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			slack := &editable{script: script{name: "slack"}}
			b := newBroadcaster(t, broadcast.Options{}, slack)
			ctx := context.Background()
			send := func(n int) {
				t.Helper()
				u := validUpdate()
				u.ID, u.IncidentID = fmt.Sprintf("u%d", n), "cdn"
				_, err := b.Send(ctx, u)
				require.NoError(t, err)
			}
			for n := 1; n <= tt.before; n++ {
				send(n)
			}
			_, err := b.Retract(ctx, "u1")
			require.NoError(t, err)

			send(tt.before + 1)
			restarted := slack.message(tt.before)
			assert.Empty(t, restarted.Thread.Root.ID, "the first post is gone")
			for n := tt.before + 2; n <= tt.before+3; n++ {
				send(n)
				m := slack.message(n - 1)
				assert.Equal(t, tt.restart, m.Thread.Root.ID, "update %d threads under the post made after the retraction", n)
				assert.Equal(t, fmt.Sprintf("slack-%d", n-1), m.Thread.Last.ID)
			}
			th, err := b.Thread(ctx, "cdn", "slack")
			require.NoError(t, err)
			assert.Equal(t, tt.restart, th.Root.ID)

			// That one retracted too, the next post starts the thread again.
			_, err = b.Retract(ctx, fmt.Sprintf("u%d", tt.before+1))
			require.NoError(t, err)
			send(tt.before + 4)
			send(tt.before + 5)
			assert.Equal(t, fmt.Sprintf("slack-%d", tt.before+4), slack.message(tt.before+4).Thread.Root.ID)
		})
	}
}
