package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction's ID given to the correction of another update is
// refused, naming ID and the update it corrects already: the second
// Correct was Skipped on every channel (the ID was delivered), without an
// error, and the second update stayed uncorrected. A Broadcaster made
// anew on the same Store (a restart) refuses it too; the same correction
// of the same original is still let through (Skipped where done).
func TestCorrectionIDOfAnotherOriginalRefused(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	for _, edits := range []bool{false, true} {
		var ch broadcast.Channel = &script{name: "irc"}
		if edits {
			ch = &editable{script: script{name: "irc"}}
		}
		b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
		a, bu := validUpdate(), validUpdate()
		a.ID, bu.ID = "a", "b"
		if edits {
			a.ID, bu.ID = "a2", "b2"
		}
		bu.Body = "Another update."
		for _, u := range []broadcast.Update{a, bu} {
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
		}
		fix := correctionOf("fix-" + a.ID)
		_, err := b.Correct(ctx, a.ID, fix)
		require.NoError(t, err)

		for _, b := range []*broadcast.Broadcaster{b, newBroadcaster(t, broadcast.Options{Store: store}, ch)} {
			rep, err := b.Correct(ctx, bu.ID, fix)
			require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
			assert.Nil(t, rep)
			var fe *broadcast.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "ID", fe.Field)
			assert.Contains(t, fe.Problem, `"`+a.ID+`"`)

			rep, err = b.Correct(ctx, a.ID, fix)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped)
		}
	}
}

// The ID of an update sent is refused as a correction's, naming ID: it
// was delivered, and the correction was Skipped on every channel.
func TestCorrectionIDOfAnUpdateSentRefused(t *testing.T) {
	ctx := context.Background()
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "irc"})
	sendTwo(t, b, "a", "other")
	fix := correctionOf("other")
	_, err := b.Correct(ctx, "a", fix)
	var fe *broadcast.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ID", fe.Field)
	assert.Contains(t, fe.Problem, "update sent")
}

// A queue's JobCorrect whose correction ID corrects another update fails
// for good, naming ID, without an attempt.
func TestRunJobCorrectionIDOfAnotherOriginalRefused(t *testing.T) {
	ctx := context.Background()
	ch := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	sendTwo(t, b, "a", "b")
	fix := correctionOf("fix")
	_, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	jobs, err := b.Jobs(broadcast.JobCorrect, fix, "b")
	require.NoError(t, err)
	res := b.RunJob(ctx, jobs[0], 1)
	require.ErrorIs(t, res.Err, broadcast.ErrInvalidUpdate)
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.Zero(t, res.Attempts)
	assert.Equal(t, 3, ch.count(), "no attempt")
}

// Two Corrects of different updates given one correction ID at once: one
// corrects its update, and the other is refused, naming ID; neither is
// Skipped silently.
func TestConcurrentCorrectionsSharingAnID(t *testing.T) {
	ctx := context.Background()
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "irc"}, &editable{script: script{name: "slack"}})
	sendTwo(t, b, "a", "b")
	fix := correctionOf("fix")
	errs := make(chan error, 2)
	for _, original := range []string{"a", "b"} {
		go func() {
			rep, err := b.Correct(ctx, original, fix)
			if err == nil {
				for _, r := range rep.Results {
					assert.False(t, r.Skipped, r.Channel)
				}
			}
			errs <- err
		}()
	}
	first, second := <-errs, <-errs
	if first != nil {
		first, second = second, first
	}
	require.NoError(t, first)
	var fe *broadcast.FieldError
	require.ErrorAs(t, second, &fe)
	assert.Equal(t, "ID", fe.Field)
}

// A Send of an update given the ID of a correction delivered fails for
// good, naming ID: it was Skipped on every channel, the update posted
// nowhere, without an error.
func TestSendOfACorrectionsIDFails(t *testing.T) {
	ctx := context.Background()
	ch := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	a := validUpdate()
	a.ID = "a"
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	fix := correctionOf("fix")
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)

	next := validUpdate()
	next.ID = "fix"
	next.Status = broadcast.StatusIdentified
	rep, err := b.Send(ctx, next)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.False(t, rep.Results[0].Skipped)
	var fe *broadcast.FieldError
	require.ErrorAs(t, rep.Results[0].Err, &fe)
	assert.Equal(t, "ID", fe.Field)
	assert.Contains(t, fe.Problem, `"a"`)
	assert.Equal(t, 2, ch.count(), "nothing posted")
}

// A correction's derived ID, copied from its Report into the Correct of
// another update, is refused as a given one is.
func TestCopiedDerivedCorrectionIDRefused(t *testing.T) {
	ctx := context.Background()
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "irc"})
	sendTwo(t, b, "a", "b")
	fix := correctionOf("")
	rep, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	fix.ID = rep.UpdateID
	_, err = b.Correct(ctx, "b", fix)
	var fe *broadcast.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ID", fe.Field)
}

// sendTwo sends two updates of one incident through b, a (of ID idA) and
// one of another body (of ID idB), and returns them.
func sendTwo(t *testing.T, b *broadcast.Broadcaster, idA, idB string) (a, other broadcast.Update) {
	t.Helper()
	a, other = validUpdate(), validUpdate()
	a.ID, other.ID, other.Body = idA, idB, "Another update."
	for _, u := range []broadcast.Update{a, other} {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	return a, other
}

// correctionOf returns the correction the tests give: of ID id, "" for
// one derived.
func correctionOf(id string) broadcast.Update {
	fix := validUpdate()
	fix.ID, fix.Body = id, "The EU region, not the US one."
	return fix
}

// A Correct whose record of what its correction corrects the Store could
// not write at first writes it before reporting the delivery: an
// OnEvent handler that, told the correction was delivered, gives its ID
// to the Correct of another update (here through a second Broadcaster on
// the same Store, as the handler may) is refused, naming ID. The record
// was written only after the events, and the ID, delivered, was let
// through: the other update's correction Skipped, reusing it silently.
// So does a queue's run of a JobCorrect.
func TestCorrectionRecordWrittenBeforeItsEvents(t *testing.T) {
	t.Run("Correct", func(t *testing.T) { correctionRecordBeforeEvents(t, false) })
	t.Run("RunJob", func(t *testing.T) { correctionRecordBeforeEvents(t, true) })
}

func correctionRecordBeforeEvents(t *testing.T, job bool) {
	ctx := context.Background()
	st := &writeFailsOnce{MemoryStore: broadcast.NewMemoryStore(),
		receipt: func(incidentID, _ string) bool { return incidentID == "\x00corrects\x00fix" }}
	ch := &script{name: "irc"}
	other := newBroadcaster(t, broadcast.Options{Store: st}, ch)
	fix := correctionOf("fix")
	var reused []error
	b := newBroadcaster(t, broadcast.Options{Store: st, OnEvent: func(e broadcast.Event) {
		if e.Kind == broadcast.EventDelivered && e.UpdateID == "fix" {
			_, err := other.Correct(ctx, "b", fix)
			reused = append(reused, err)
		}
	}}, ch)
	sendTwo(t, b, "a", "b")

	correctAs(t, b, job, "a", fix)
	require.True(t, st.saveFailed.Load(), "the first write of the record failed")
	require.Len(t, reused, 1)
	var fe *broadcast.FieldError
	require.ErrorAs(t, reused[0], &fe)
	assert.Equal(t, "ID", fe.Field)
	assert.Contains(t, fe.Problem, `"a"`)
}
