package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// RunJob names every fault of a Job it refuses in one error, as Jobs
// and Send name an update's: a Job built by hand, or decoded from another
// program's JSON, is mended in one go. Before, it named the first it
// came to alone (Job.Update.Corrects of a send, or Job.Original of a
// correction), and the update's own faults and the fields Jobs fills in
// only once those were mended.
func TestRunJobNamesEveryFault(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	bad := broadcast.Update{ID: "u1", Status: "down"} // no Title, IncidentID, Time
	for name, tc := range map[string]struct {
		job  broadcast.Job
		want []string
	}{
		"send with Corrects": {broadcast.Job{Kind: broadcast.JobSend, Update: withCorrects(bad, "u0")},
			[]string{"Job.Update.Corrects", "Title", "Status", "Job.Update.IncidentID", "Job.Update.Time"}},
		"correction of no original": {broadcast.Job{Kind: broadcast.JobCorrect, Update: withCorrects(bad, "u0")},
			[]string{"Job.Original", "Job.Update.Corrects", "Title", "Status", "Job.Update.IncidentID", "Job.Update.Time"}},
		"correction with the original's ID": {broadcast.Job{Kind: broadcast.JobCorrect, Original: "u1", Update: withCorrects(bad, "u1")},
			[]string{"Job.Update.ID", "Title", "Status", "Job.Update.IncidentID", "Job.Update.Time"}},
	} {
		tc.job.Channel = "x"
		r := b.RunJob(context.Background(), tc.job, 1)
		require.Error(t, r.Err, name)
		assert.True(t, broadcast.IsPermanent(r.Err), name)
		assert.Equal(t, tc.want, fieldNames(r.Err), name)
	}
}

func withCorrects(u broadcast.Update, original string) broadcast.Update {
	u.Corrects = original
	return u
}

// A Job for a channel the Broadcaster does not have is named with the
// Job's other faults, as Job.Channel, in one error. Before, RunJob named
// the channel alone ("broadcast: no channel \"nope\""), and the Job's
// other faults only once the channel was mended.
func TestRunJobNamesUnknownChannelWithOtherFaults(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	bad := broadcast.Update{ID: "u1", Status: "down"} // no Title, IncidentID, Time
	for name, tc := range map[string]struct {
		job  broadcast.Job
		want []string
	}{
		"send": {broadcast.Job{Kind: broadcast.JobSend, Update: bad},
			[]string{"Job.Channel", "Title", "Status", "Job.Update.IncidentID", "Job.Update.Time"}},
		"retract of another": {broadcast.Job{Kind: broadcast.JobRetract, Original: "u0", Update: broadcast.Update{ID: "u1"}},
			[]string{"Job.Channel", "Job.Original"}},
		"channel alone": {broadcast.Job{Kind: broadcast.JobRetract, Original: "u1", Update: broadcast.Update{ID: "u1"}},
			[]string{"Job.Channel"}},
	} {
		tc.job.Channel = "nope"
		r := b.RunJob(context.Background(), tc.job, 1)
		require.Error(t, r.Err, name)
		assert.True(t, broadcast.IsPermanent(r.Err), name)
		assert.ErrorIs(t, r.Err, broadcast.ErrInvalidUpdate, name)
		assert.Equal(t, tc.want, fieldNames(r.Err), name)
		assert.ErrorContains(t, r.Err, `Job.Channel: no channel "nope"`, name)
		assert.Equal(t, "nope", r.Channel, name)
	}
}
