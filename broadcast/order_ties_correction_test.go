package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// tieChannel is channel x, which refuses for good the updates named in
// fail and posts every other, recording their IDs in order.
type tieChannel struct {
	fail   sync.Map
	mu     sync.Mutex
	posted []string
}

func (c *tieChannel) Name() string { return "x" }

func (c *tieChannel) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if _, ok := c.fail.Load(m.Update.ID); ok {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("503 over capacity"))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posted = append(c.posted, m.Update.ID)
	return broadcast.Receipt{ID: m.Update.ID}, nil
}

// tieRetractor is tieChannel with deletion.
type tieRetractor struct{ *tieChannel }

func (tieRetractor) Retract(context.Context, broadcast.Receipt) error { return nil }

// Of two updates of one Time, m sent first and n second, m is the older:
// sent again, it is not posted after n, also when a correction of an
// earlier update was posted after n. The correction takes n's Time (it
// comes after n in the thread), has no place among the Sends of its own,
// and, the thread's latest post, hid n: m went out after both. Once n is
// retracted, m goes after the correction.
func TestOlderOfEqualTimesNotPostedAfterTheNewerBehindACorrection(t *testing.T) {
	for _, retractor := range []bool{false, true} {
		t.Run(map[bool]string{false: "channel", true: "retractor"}[retractor], func(t *testing.T) {
			x := &tieChannel{}
			var ch broadcast.Channel = x
			if retractor {
				ch = tieRetractor{x}
			}
			b := newBroadcaster(t, broadcast.Options{}, ch, broadcast.ChannelFunc("y", noop))
			ctx := context.Background()
			t0 := time.Now().Add(-time.Hour).UTC()
			u, m, n := validUpdate(), validUpdate(), validUpdate()
			u.ID, u.IncidentID, u.Time = "u", "inc", t0
			m.ID, m.IncidentID, m.Time, m.Status = "m", "inc", t0.Add(time.Minute), broadcast.StatusIdentified
			n.ID, n.IncidentID, n.Time, n.Status = "n", "inc", m.Time, broadcast.StatusMonitoring
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
			x.fail.Store("m", true)
			_, err = b.Send(ctx, m) // x refuses it
			require.Error(t, err)
			_, err = b.Send(ctx, n)
			require.NoError(t, err)
			fix := u
			fix.ID, fix.Time, fix.Body = "fix", time.Time{}, "We are investigating elevated error rates in Europe."
			_, err = b.Correct(ctx, "u", fix)
			require.NoError(t, err)

			x.fail.Delete("m")
			on, err := b.SupersededOn(ctx, m)
			require.NoError(t, err)
			assert.Contains(t, on, "x", "as Send decides it")
			rep, err := b.Send(ctx, m)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Superseded, "m is older than n, posted on x")
			x.mu.Lock()
			assert.Equal(t, []string{"u", "n", "fix"}, x.posted)
			x.mu.Unlock()
			if !retractor {
				return
			}

			// n deleted, m comes after the correction, an update's older
			// than m.
			rep, err = b.Retract(ctx, "n")
			require.ErrorIs(t, err, broadcast.ErrNotSupported) // y cannot delete
			require.NoError(t, rep.Results[0].Err)
			rep, err = b.Send(ctx, m)
			require.NoError(t, err)
			assert.False(t, rep.Results[0].Superseded, "n was retracted")
			x.mu.Lock()
			defer x.mu.Unlock()
			assert.Equal(t, []string{"u", "n", "fix", "m"}, x.posted)
		})
	}
}
