package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An error about a value the caller gave quotes its first 64 bytes only,
// as the Broadcaster's other errors do: a whole document passed as a
// channel's name, a Job's kind or a Route's status must not come back
// whole in an error, a log record or a queue's report. Before, these
// quoted the value whole.
func TestHugeValueQuotedCut(t *testing.T) {
	ctx := context.Background()
	huge := strings.Repeat("h", 1<<20)
	quoted := `"` + strings.Repeat("h", 64) + `"…`
	ch := func(name string) broadcast.Channel {
		return broadcast.ChannelFunc(name, func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{Channel: name, ID: "1"}, nil
		})
	}
	b, err := broadcast.New([]broadcast.Channel{ch("a")}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := broadcast.Update{ID: "u1", IncidentID: "i", Title: "t", Status: broadcast.StatusInvestigating}

	newErr := func(opts broadcast.Options) error {
		_, err := broadcast.New([]broadcast.Channel{ch("a")}, opts)
		return err
	}
	threadErr := func() error {
		_, err := b.Thread(ctx, "i", huge)
		return err
	}
	rejectsErr := func() error {
		_, err := b.CorrectionRejects(ctx, "u0", u, huge)
		return err
	}
	jobsErr := func() error {
		_, err := b.Jobs(broadcast.JobKind(huge), u, "")
		return err
	}
	job := broadcast.Job{Kind: broadcast.JobCorrect, Update: u, Original: "u0", Channel: "a"}
	job.Update.ID, job.Update.Corrects = "u2", huge
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"New Routes": {newErr(broadcast.Options{Routes: map[string]broadcast.Route{huge: {}}}),
			"broadcast: Options.Routes[" + quoted + "]: no channel of that name"},
		"New Route status": {newErr(broadcast.Options{Routes: map[string]broadcast.Route{"a": {Statuses: []broadcast.Status{broadcast.Status(huge)}}}}),
			`broadcast: Options.Routes["a"].Statuses[0]: unknown value ` + quoted},
		"New Route impact": {newErr(broadcast.Options{Routes: map[string]broadcast.Route{"a": {Impacts: []broadcast.Impact{broadcast.Impact(huge)}}}}),
			`broadcast: Options.Routes["a"].Impacts[0]: unknown value ` + quoted},
		"New Stages": {newErr(broadcast.Options{Stages: [][]string{{huge}}}),
			"broadcast: Options.Stages[0]: no channel " + quoted},
		"Thread":            {threadErr(), "broadcast: no channel " + quoted},
		"CorrectionRejects": {rejectsErr(), "broadcast: no channel " + quoted},
		"Jobs":              {jobsErr(), "broadcast: unknown job kind " + quoted},
		"CheckOriginal":     {b.CheckOriginal(ctx, broadcast.JobKind(huge), u, "u1"), "broadcast: unknown job kind " + quoted},
		"RunJob channel": {b.RunJob(ctx, broadcast.Job{Kind: broadcast.JobSend, Update: u, Channel: huge}, 1).Err,
			"broadcast: invalid update: Job.Channel: no channel " + quoted + "; Job.Update.Time: missing; Jobs sets it"},
		"RunJob kind": {b.RunJob(ctx, broadcast.Job{Kind: broadcast.JobKind(huge), Update: u, Channel: "a"}, 1).Err, "broadcast: unknown job kind " + quoted},
		"RunJob Corrects": {b.RunJob(ctx, job, 1).Err,
			"broadcast: invalid update: Job.Update.Corrects: " + quoted + `, not Job.Original "u0"; Jobs sets it; Job.Update.Time: missing; Jobs sets it`},
	} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, tc.err)
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}
