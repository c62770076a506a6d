package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// recordWriteFails is a Store whose writes of the record of what a
// correction corrects always fail (a full disk on that key); the first
// read of it once watch is set is told on read.
type recordWriteFails struct {
	*broadcast.MemoryStore
	watch atomic.Bool
	read  chan struct{}
}

func (s *recordWriteFails) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if strings.HasPrefix(updateID, "\x00corrects\x00") && s.watch.CompareAndSwap(true, false) {
		close(s.read)
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

func (s *recordWriteFails) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if strings.HasPrefix(incidentID, "\x00corrects\x00") {
		return errors.New("disk full")
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// While the record of what a correction corrects cannot be written, an
// OnEvent handler told of its attempt that gives its ID to the Correct
// of another update is refused, naming ID: the correction under way
// holds it. It was let through, and Skipped where the first had delivered
// the ID, the other update left uncorrected without an error.
func TestCorrectionIDUnderWayWithUnwrittenRecord(t *testing.T) {
	ctx := context.Background()
	st := &recordWriteFails{MemoryStore: broadcast.NewMemoryStore(), read: make(chan struct{})}
	ch := &script{name: "irc"}
	fix := correctionOf("fix")
	reused := make(chan error, 1)
	var b *broadcast.Broadcaster
	b = newBroadcaster(t, broadcast.Options{Store: st, OnEvent: func(e broadcast.Event) {
		if e.Kind == broadcast.EventAttempt && e.UpdateID == "fix" && e.Attempt == 1 && len(reused) == 0 {
			// The first Correct waits here, so the next read of the
			// record is the other Correct's.
			st.watch.Store(true)
			go func() {
				rep, err := b.Correct(ctx, "b", fix)
				if err == nil && rep.Results[0].Skipped {
					err = errors.New("skipped")
				}
				reused <- err
			}()
			<-st.read // the other Correct looked for the record
		}
	}}, ch)
	sendTwo(t, b, "a", "b")
	rep, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	err = <-reused
	var fe *broadcast.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ID", fe.Field)
	assert.Contains(t, fe.Problem, `"a"`)
	assert.Equal(t, 3, ch.count(), "one correction posted")

	// Once the first Correct ended, its Correct again is let through.
	rep, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
}
