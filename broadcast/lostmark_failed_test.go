package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Send of an update delivered earlier, but for a target refused for
// good, tries that target again also when the earlier delivery's own mark
// was lost (ErrNotRecorded, its receipt saved): it was Skipped, the
// refused target left without the update and nothing saying so.
func TestLostMarkStillRetriesFailedTargets(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(map[bool]string{false: "mark written", true: "mark lost"}[lost], func(t *testing.T) {
			ch := refusesBOnce()
			st := markFailsOnce()
			st.markFailed.Store(!lost) // failed already: it fails no more
			b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
			u := validUpdate()
			u.ID = "u1"
			_, err := b.Send(context.Background(), u)
			require.Error(t, err)
			assert.Equal(t, lost, errors.Is(err, broadcast.ErrNotRecorded))

			rep, err := b.Send(context.Background(), u)
			require.NoError(t, err)
			res := rep.Results[0]
			assert.False(t, res.Skipped)
			assert.Equal(t, []string{"b"}, res.Delivered)
			assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
			th, err := b.Thread(context.Background(), rep.IncidentID, "mail")
			require.NoError(t, err)
			assert.Equal(t, "1", th.Last.ID, "the update's post stays the first delivery's")

			rep, err = b.Send(context.Background(), u)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped)
			assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
		})
	}
}

// refusesBOnce is a fan-out channel to targets a, b and c whose first call
// b refuses for good; every other call delivers.
func refusesBOnce() *mixedFanout {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.script = func(call int, t string) error {
		if t == "b" && call == 1 {
			return errRefusedT
		}
		return nil
	}
	return ch
}

// A Correct again of a correction posted in the thread, where a target
// refused it for good and the correction's own mark was lost
// (ErrNotRecorded, its receipt saved), tries that target again once a
// newer update followed the correction: it was Skipped, found delivered
// by its receipt, and the refused target never got the correction. The
// targets that had it are not posted to again.
func TestLostCorrectionMarkStillRetriesFailedTargets(t *testing.T) {
	ctx := context.Background()
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.script = func(call int, t string) error {
		if t == "b" && call == 2 { // the correction's first call
			return errRefusedT
		}
		return nil
	}
	st := markFailsOnce()
	st.markFailed.Store(true) // not the original's mark
	b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
	original := validUpdate()
	original.ID = "o1"
	_, err := b.Send(ctx, original)
	require.NoError(t, err)
	st.markFailed.Store(false)
	fix := correctionOf("fix")
	_, err = b.Correct(ctx, "o1", fix)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	require.ErrorIs(t, err, errRefusedT)
	newer := validUpdate()
	newer.ID, newer.Body, newer.Status = "o2", "Another update.", broadcast.StatusIdentified
	_, err = b.Send(ctx, newer)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"a": 3, "b": 2, "c": 3}, ch.postsOf())

	rep, err := b.Correct(ctx, "o1", fix)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	assert.Equal(t, map[string]int{"a": 3, "b": 3, "c": 3}, ch.postsOf())

	rep, err = b.Correct(ctx, "o1", fix)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
	assert.Equal(t, map[string]int{"a": 3, "b": 3, "c": 3}, ch.postsOf())
}
