package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Job made of an update given without a Time runs as Send and Correct
// take that update: its NextUpdate is refused only before a Time given,
// and Jobs filled this one in. A correction of an update from hours ago,
// restating the next update it promised then, or an update sent again
// without its Time, used to be made a Job by Jobs and then refused by
// every run, for good and without an attempt, as a NextUpdate before the
// Time Jobs had set.
func TestJobOfUpdateWithoutTimeKeepsItsNextUpdate(t *testing.T) {
	ch := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.NextUpdate = time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err, "Send takes it")

	for _, c := range []struct {
		kind     broadcast.JobKind
		original string
	}{{broadcast.JobSend, ""}, {broadcast.JobCorrect, "original"}} {
		u := u
		u.ID = "job-" + string(c.kind)
		if c.original != "" {
			orig := u
			orig.ID = c.original
			_, err := b.Send(context.Background(), orig)
			require.NoError(t, err)
		}
		jobs, err := b.Jobs(c.kind, u, c.original)
		require.NoError(t, err, "Jobs takes it")
		r := b.RunJob(context.Background(), jobs[0], 1)
		assert.NoError(t, r.Err, "%s: the Job runs as Jobs made it", c.kind)
	}
}
