package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// prunedSetup sends update "a" twice through x and y, y failing for good
// the first time, and prunes what was written before the second Send: y's
// records are kept, the record of the first Send is not. It returns the
// Broadcaster, y, and the Report of the second Send.
func prunedSetup(t *testing.T, opts broadcast.Options, a broadcast.Update, x broadcast.Channel) (*broadcast.Broadcaster, *deleter, *broadcast.Report) {
	t.Helper()
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky)}}}
	opts.Store, opts.Retry = store, broadcast.RetryPolicy{MaxAttempts: 1}
	b := newBroadcaster(t, opts, x, y)
	_, err := b.Send(ctx, a)
	require.Error(t, err) // y failed for good
	cutoff := time.Now()
	rep, _ := b.Send(ctx, a) // y again
	require.NotNil(t, rep)
	require.NoError(t, rep.Results[1].Err, "y")
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)
	return b, y, rep
}

// A channel that failed for good on every Send of the update, the last
// one after a Prune's cutoff, never posted it: its failure, kept, says
// so. A Retract after the Prune reported it failed, its records "may have
// been pruned", since the record of the update's first Send was gone
// while y kept its receipt; it was Skipped before, as it is now.
func TestRetractAfterPruneSkipsChannelThatFailedForGood(t *testing.T) {
	x := &deleter{script: script{name: "x", errs: []error{broadcast.Permanent(errFlaky), broadcast.Permanent(errFlaky)}}}
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	b, y, rep := prunedSetup(t, broadcast.Options{}, a, x)
	require.Error(t, rep.Results[0].Err, "x failed again")

	rep, err := b.Retract(context.Background(), "a")
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "x never posted a")
	assert.Len(t, y.retracts, 1, "y's post deleted")
	assert.Empty(t, x.retracts)
}

// A channel whose Route left the update out of every Send never posted
// it. A Retract after a Prune that removed the record of the update's
// first Send and kept y's receipt, of a later Send, reported it failed,
// its records "may have been pruned": the Send that left it out again
// did not write again the record that says so, which the Prune removed
// with the first Send's.
func TestRetractAfterPruneSkipsChannelRoutedAway(t *testing.T) {
	x := &deleter{script: script{name: "x"}}
	a := validUpdate()
	a.ID, a.IncidentID, a.Impact = "a", "inc", broadcast.ImpactMinor
	b, y, rep := prunedSetup(t, broadcast.Options{Routes: majorOnX}, a, x)
	require.True(t, rep.Results[0].NotSelected, "x")

	rep, err := b.Retract(context.Background(), "a")
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "x never posted a")
	assert.Len(t, y.retracts, 1, "y's post deleted")
	assert.Zero(t, x.count())
}

// sentUnwritten is a Store that cannot write the record of an update's
// first Send (see Broadcaster.SentTime); it writes the rest.
type sentUnwritten struct{ broadcast.Store }

func (s sentUnwritten) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if strings.HasPrefix(updateID, "\x00sent\x00") {
		return errors.New("store down")
	}
	return s.Store.SaveReceipt(ctx, incidentID, updateID, r)
}

// An update whose first Send the Store could not record (the Broadcaster
// that sent it kept it in memory, and a restart lost it) is retracted,
// with no Prune: a channel whose Route left it out, and one that failed
// for good, were reported failed, their records "may have been pruned",
// where they were Skipped; their marks say that they never posted it.
func TestRetractOfUnrecordedFirstSendSkipsChannelsThatNeverPosted(t *testing.T) {
	ctx := context.Background()
	store := sentUnwritten{broadcast.NewMemoryStore()}
	x := &deleter{script: script{name: "x"}}
	z := &deleter{script: script{name: "z", errs: []error{broadcast.Permanent(errFlaky)}}}
	y := &deleter{script: script{name: "y"}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Routes: majorOnX, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x, z, y)
	a := validUpdate()
	a.ID, a.IncidentID, a.Impact = "a", "inc", broadcast.ImpactMinor
	rep, err := b.Send(ctx, a)
	require.Error(t, err) // z
	require.True(t, rep.Results[0].NotSelected, "x")
	require.NoError(t, rep.Results[2].Err, "y")
	require.NoError(t, b.Close())

	b = newBroadcaster(t, broadcast.Options{Store: store, Routes: majorOnX}, x, z, y) // a restart
	rep, err = b.Retract(ctx, "a")
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "x never posted a")
	assert.True(t, rep.Results[1].Skipped, "z never posted a")
	assert.Len(t, y.retracts, 1, "y's post deleted")
}
