//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A job an operator cancelled through River (Client.JobCancel), waiting to
// retry or running, is reported as cancelled by an operator, with its last
// attempt's error; a job the retry policy gave up is not.
func TestReportTellsAnOperatorsCancelFromAFailure(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	flaky := broadcast.ChannelFunc("flaky", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, errors.New("HTTP 503")
	})
	refused := broadcast.ChannelFunc("refused", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("HTTP 401"))
	})
	slow := newBlocking() // "x"
	var (
		mu     sync.Mutex
		jobs   = map[string]int64{}
		failed = map[string]dispatch.Event{}
		ready  = make(chan struct{})
	)
	in := newInstance(t, dsn, []broadcast.Channel{flaky, refused, slow}, broadcast.Options{AttemptTimeout: time.Minute},
		dispatch.Config{Workers: 3, JobTimeout: 90 * time.Second,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour},
			OnEvent: func(e dispatch.Event) {
				mu.Lock()
				defer mu.Unlock()
				switch e.Kind {
				case broadcast.EventRetry:
					if e.Channel == "flaky" && jobs["flaky"] == 0 {
						jobs["flaky"] = e.JobID
						close(ready)
					}
				case broadcast.EventAttempt:
					if e.Channel == "x" {
						jobs["x"] = e.JobID
					}
				case broadcast.EventFailed:
					failed[e.Channel] = e
				}
			}})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	for _, c := range []<-chan struct{}{ready, slow.entered} {
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatal("the jobs did not run")
		}
	}

	operator, err := river.NewClient(riverpgxv5.New(in.pool), &river.Config{})
	require.NoError(t, err)
	mu.Lock()
	cancel := []int64{jobs["flaky"], jobs["x"]}
	mu.Unlock()
	for _, job := range cancel {
		_, err = operator.JobCancel(ctx, job)
		require.NoError(t, err)
	}

	rep, err := in.d.Wait(ctx, id)
	require.Error(t, err)
	require.Len(t, rep.Results, 3)
	waiting, gaveUp, running := rep.Results[0], rep.Results[1], rep.Results[2]
	assert.ErrorIs(t, waiting.Err, dispatch.ErrCancelledByOperator, "cancelled while waiting to retry")
	assert.ErrorContains(t, waiting.Err, "HTTP 503", "its last attempt's error")
	assert.True(t, broadcast.IsPermanent(waiting.Err), "it will not run again")
	assert.NotErrorIs(t, gaveUp.Err, dispatch.ErrCancelledByOperator, "failed, not cancelled")
	assert.ErrorContains(t, gaveUp.Err, "HTTP 401")
	assert.ErrorIs(t, running.Err, dispatch.ErrCancelledByOperator, "cancelled while it ran")
	assert.Equal(t, int32(1), slow.cancelled.Load(), "its attempt was cut short")
	mu.Lock()
	defer mu.Unlock()
	assert.ErrorIs(t, failed["x"].Err, dispatch.ErrCancelledByOperator, "its Event says so too")
}
