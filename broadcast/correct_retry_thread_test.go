package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Correct again that tries the targets that refused a correction posted
// in the thread, or that it did not reach (one was down), leaves the
// thread's latest post alone when a newer update was posted after the
// correction: the incident's next update replies to that newer update's
// post, not to the correction's, which came before it.
func TestCorrectAgainKeepsNewerUpdateAsLatest(t *testing.T) {
	for name, down := range map[string]map[string]bool{"refused": nil, "down": {"b": true}} {
		t.Run(name, func(t *testing.T) {
			refused := map[string]bool{"b": true}
			if down != nil {
				refused = nil
			}
			ctx := context.Background()
			ch := &receivers{targets: []string{"a", "b"}}
			store := broadcast.NewMemoryStore()
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u1, u2, u3, fixed := threadOfThree()

			sendFailedCorrection(t, b, ch, u1, fixed, refused, down)
			rep, err := b.Send(ctx, u2)
			require.NoError(t, err)
			require.False(t, rep.Results[0].Skipped)
			rep, err = b.Correct(ctx, "u1", fixed)
			require.NoError(t, err, "b takes the correction now")
			assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)

			th, err := b.Thread(ctx, "inc", "hooks")
			require.NoError(t, err)
			assert.Equal(t, "u2", th.Last.UpdateID, "u2 was posted after the correction")
			_, err = b.Send(ctx, u3)
			require.NoError(t, err)
			ch.mu.Lock()
			last := ch.threads[len(ch.threads)-1]
			ch.mu.Unlock()
			assert.Equal(t, "u2", last.Last.UpdateID, "u3 replies to u2's post, not to the correction's")
			assert.Equal(t, "post-u2", last.Last.ID)

			r, ok, err := store.Receipt(ctx, "c1", "hooks")
			require.NoError(t, err)
			require.True(t, ok, "the correction's receipt is kept, for a Retract or Correct of it")
			assert.Equal(t, "post-c1", r.ID)
		})
	}
}

// Without a newer post since, the correction tried again stays the
// thread's latest post, as it was after its first delivery.
func TestCorrectAgainStaysLatest(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1 := validUpdate()
	u1.ID, u1.IncidentID, u1.Time = "u1", "inc", time.Now().UTC().Add(-time.Hour).Round(0)
	fixed := u1
	fixed.ID, fixed.Time, fixed.Body = "c1", time.Time{}, "We are investigating elevated error rates on the EU CDN."

	sendRefusedCorrection(t, b, ch, u1, fixed)
	_, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	th, err := b.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "c1", th.Last.UpdateID)
	assert.Equal(t, "u1", th.Root.UpdateID)
}

// sendRefusedCorrection sends u1, then its correction fixed, which target
// b of ch refuses for good; ch accepts everything again after.
func sendRefusedCorrection(t *testing.T, b *broadcast.Broadcaster, ch *receivers, u1, fixed broadcast.Update) {
	t.Helper()
	sendFailedCorrection(t, b, ch, u1, fixed, map[string]bool{"b": true}, nil)
}

// sendFailedCorrection sends u1, then its correction fixed, which the
// targets refused of ch refuse for good and those down do not take; ch
// accepts everything again after.
func sendFailedCorrection(t *testing.T, b *broadcast.Broadcaster, ch *receivers, u1, fixed broadcast.Update, refused, down map[string]bool) {
	t.Helper()
	_, err := b.Send(context.Background(), u1)
	require.NoError(t, err)
	ch.set(refused, down)
	_, err = b.Correct(context.Background(), u1.ID, fixed)
	require.Error(t, err, "a target refuses the correction, or is down")
	ch.set(nil, nil)
}

// threadOfThree returns three updates of incident "inc", u1 to u3, an
// hour ago and ten and twenty minutes after, and fixed, a correction of
// u1 (ID "c1", no Time of its own).
func threadOfThree() (u1, u2, u3, fixed broadcast.Update) {
	t0 := time.Now().UTC().Add(-time.Hour).Round(0)
	u1, u2, u3 = validUpdate(), validUpdate(), validUpdate()
	u1.ID, u1.IncidentID, u1.Time = "u1", "inc", t0
	u2.ID, u2.IncidentID, u2.Time, u2.Status = "u2", "inc", t0.Add(10*time.Minute), broadcast.StatusIdentified
	u3.ID, u3.IncidentID, u3.Time, u3.Status = "u3", "inc", t0.Add(20*time.Minute), broadcast.StatusMonitoring
	fixed = u1
	fixed.ID, fixed.Time, fixed.Body = "c1", time.Time{}, "We are investigating elevated error rates on the EU CDN."
	return u1, u2, u3, fixed
}
