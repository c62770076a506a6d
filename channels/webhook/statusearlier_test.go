package webhook

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A failure recorded by an earlier attempt comes back, in a later Send's
// error or a later run's Result.Failures, as the text the Ledger recorded,
// not as the error the endpoint's answer made: StatusCode read no status
// from it, and gave 0 for an endpoint that had answered 410.
func TestStatusCodeOfAFailureRecordedEarlier(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/bad", status(http.StatusBadRequest))
	rc.on("/busy", busyOnce)

	for _, tt := range []struct {
		path string
		want int
	}{{"/gone", http.StatusGone}, {"/bad", http.StatusBadRequest}} {
		ch := newTestChannel(t, Config{URL: rc.endpoint(tt.path).URL, Secret: rc.endpoint(tt.path).Secret}, nil)
		m := msg(fullUpdate, channeltest.NewLedger())
		_, err := ch.Send(context.Background(), m)
		require.Error(t, err)
		require.Equal(t, tt.want, StatusCode(err), "%s, the attempt that failed", tt.path)
		m.Attempt = 2
		_, err = ch.Send(context.Background(), m)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "failed in an earlier attempt")
		assert.Equal(t, tt.want, StatusCode(err), "%s, a later attempt's error", tt.path)
	}

	// A Job's second run takes the 410 of its first from the Store.
	b, job := goneBusyJob(t, rc)
	before := rc.requests("/gone")
	res := b.RunJob(context.Background(), job, 1)
	require.Error(t, res.Err)
	require.False(t, broadcast.IsPermanent(res.Err), "the busy endpoint is pending")
	res = b.RunJob(context.Background(), job, 2)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, target(rc.endpoint("/gone")), res.Failures[0].Target)
	assert.Contains(t, res.Failures[0].Err.Error(), "failed in an earlier attempt")
	assert.Equal(t, http.StatusGone, StatusCode(res.Failures[0].Err), "the status is found in the Result of a later run")
	assert.Equal(t, before+1, rc.requests("/gone"), "not tried again")
}

// Only a text of the form this package records is read: the status is at
// its start, not anywhere in it (a receiver's answer quoted in another
// failure), and a failure of another kind has none.
func TestStatusCodeOfARecordedTextOfAnotherKind(t *testing.T) {
	rc := newReceiver(t)
	ep := rc.endpoint("/never")
	for _, text := range []string{
		"post: tls: failed to verify certificate",
		"post: panicked",
		"post: the receiver said: http status 410 Gone",
		"http status 4100",
		"http status 41",
		"http status abc",
	} {
		ledger := channeltest.NewLedger()
		require.NoError(t, ledger.MarkFailed(target(ep), errors.New(text)))
		ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret}, nil)
		_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
		require.Error(t, err)
		assert.Zero(t, StatusCode(err), "recorded as %q", text)
	}
	assert.Zero(t, rc.requests("/never"), "failed earlier: not tried")
}

// goneBusyJob returns a Broadcaster of a channel posting to rc's "/gone"
// and "/busy" (see busyOnce), and the Job of a Send of sent to it.
func goneBusyJob(t *testing.T, rc *receiver) (*broadcast.Broadcaster, broadcast.Job) {
	t.Helper()
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/gone"), rc.endpoint("/busy")}}, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	jobs, err := b.Jobs(broadcast.JobSend, sent, "")
	require.NoError(t, err)
	return b, jobs[0]
}
