package broadcast_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// retractRooms is mixedRooms that records the receipts Retract is given.
type retractRooms struct {
	mixedRooms
	retracted []broadcast.Receipt
}

func (r *retractRooms) Retract(ctx context.Context, prev broadcast.Receipt) error {
	r.mu.Lock()
	r.retracted = append(r.retracted, prev)
	r.mu.Unlock()
	return r.handRooms.Retract(ctx, prev)
}

// A correction posted anew in a room whose post is gone, while another
// room's edit failed transiently, is deleted by a Retract of the
// correction: whether that edit succeeded on a retry or never did.
func TestRetractOfACorrectionPostedAnewInSomeRooms(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flaky int // edits of ap that fail
	}{
		{"the edit succeeds on a retry", 1},
		{"the retries run out", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := &retractRooms{mixedRooms: mixedRooms{handRooms: handRooms{name: "chat", targets: []string{"us", "eu", "ap"},
				deleted: map[string]bool{}, frozen: map[string]bool{}},
				flaky: map[string]int{}, tries: map[string]int{}}}
			b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 3,
				InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}}, ch)
			ctx := context.Background()
			u := validUpdate()
			u.ID = "wrong"
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
			ch.deleted["eu"] = true
			ch.flaky["ap"] = tt.flaky

			fixed := validUpdate()
			fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
			_, err = b.Correct(ctx, "wrong", fixed)
			require.Equal(t, tt.flaky < 0, err != nil, "%v", err)
			require.Equal(t, []string{"us", "eu", "ap", "eu"}, ch.posted, "eu got the correction posted anew")

			rep, err := b.Retract(ctx, "fixed")
			require.NoError(t, err)
			assert.False(t, rep.Results[0].Skipped, "eu shows the correction")
			var eu []string
			for _, r := range ch.retracted {
				eu = append(eu, r.Meta["eu"])
			}
			assert.Contains(t, eu, fmt.Sprint(len(ch.posted)), "eu's new post is deleted: %+v", ch.retracted)
		})
	}
}
