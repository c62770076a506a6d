//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// holding is an editable channel that holds back the first attempt of
// update hold (a 429 asking to come back in an hour), and logs its posts
// and edits in order.
type holding struct {
	mu   sync.Mutex
	hold string
	log  []string
}

func (h *holding) Name() string { return "x" }

func (h *holding) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.held(m.Update.ID); err != nil {
		return broadcast.Receipt{}, err
	}
	h.log = append(h.log, "post "+m.Update.ID)
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (h *holding) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.held(m.Update.ID); err != nil {
		return broadcast.Receipt{}, err
	}
	h.log = append(h.log, "edit "+prev.ID+" to "+m.Update.ID)
	return prev, nil
}

// held holds back the first Send or Edit of update id when it is the
// update to hold (h.mu is held): a 429 asking to come back in an hour.
func (h *holding) held(id string) error {
	if id != h.hold {
		return nil
	}
	h.hold = ""
	h.log = append(h.log, "held "+id)
	return broadcast.RetryAfter(errors.New("HTTP 429"), time.Hour)
}

func (h *holding) Retract(_ context.Context, prev broadcast.Receipt) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, "retract "+prev.ID)
	return nil
}

func (h *holding) posts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.log...)
}

// holdingInstance starts an instance with channel ch that retries soon,
// and returns it with next, which waits for the next Event of a job of
// the given kind other than an attempt.
func holdingInstance(t *testing.T, ch *holding) (*instance, func(broadcast.JobKind) dispatch.Event) {
	ctx := waitCtx(t)
	events := make(chan dispatch.Event, 100)
	in := newInstance(t, newSchema(t), []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{
		Workers: 2,
		Retry:   broadcast.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaxInterval: time.Second},
		OnEvent: func(e dispatch.Event) {
			select {
			case events <- e:
			default: // the first few are the test's
			}
		},
	})
	in.start(t)
	next := func(job broadcast.JobKind) dispatch.Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Job == job && e.Kind != broadcast.EventAttempt {
					return e
				}
			case <-ctx.Done():
				t.Fatalf("no event of the %s job", job)
			}
		}
	}
	return in, next
}

// A correction queued while its original's delivery on the channel waits
// to retry waits for it: run first, it would find nothing posted and post
// itself, and the original would go up after it with the text the
// correction was for.
func TestCorrectionWaitsForItsOriginalsDelivery(t *testing.T) {
	ctx := waitCtx(t)
	ch := &holding{hold: "u-1"}
	in, next := holdingInstance(t, ch)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	e := next(broadcast.JobSend)
	require.Equal(t, broadcast.EventRetry, e.Kind, "held for an hour")

	fixed := update(2)
	fixed.IncidentID, fixed.Body = update(1).IncidentID, "Corrected: the CDN, not the API."
	cid, err := in.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	e = next(broadcast.JobCorrect)
	assert.Equal(t, broadcast.EventRetry, e.Kind, "the correction waits for its original")
	assert.True(t, e.Snoozed, "no attempt used up")
	// Once River has recorded the original's wait, the correction waits
	// as long as it may, at most Retry.MaxInterval, not InitialInterval
	// after InitialInterval.
	for e.Delay != time.Second {
		e = next(broadcast.JobCorrect)
		require.Equal(t, broadcast.EventRetry, e.Kind)
		require.LessOrEqual(t, e.Delay, time.Second)
	}

	// The hour is up.
	bringForward(t, in.pool, dispatch.KindSend)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, cid)
	require.NoError(t, err)
	assert.Equal(t, []string{"held u-1", "post u-1", "edit post-u-1 to u-2"}, ch.posts(),
		"the original posted, then corrected in place")
	assert.Equal(t, "post-u-1", rep.Results[0].Receipt.ID)
}

// A retraction queued while a correction of its update waits to retry on
// the channel waits for it too: run first, it would delete the post, and
// the correction would then post "Correction: …" of a post that is gone.
func TestRetractionWaitsForACorrectionOfItsUpdate(t *testing.T) {
	ctx := waitCtx(t)
	ch := &holding{}
	in, next := holdingInstance(t, ch)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)

	fixed := update(2)
	fixed.IncidentID, fixed.Body = update(1).IncidentID, "Corrected: the CDN, not the API."
	ch.mu.Lock()
	ch.hold = fixed.ID
	ch.mu.Unlock()
	_, err = in.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	require.Equal(t, broadcast.EventRetry, next(broadcast.JobCorrect).Kind, "the correction is held for an hour")

	require.NoError(t, in.d.Retract(ctx, nil, id))
	e := next(broadcast.JobRetract)
	assert.Equal(t, broadcast.EventRetry, e.Kind, "the retraction waits for the correction")
	assert.True(t, e.Snoozed, "no attempt used up")

	bringForward(t, in.pool, dispatch.KindCorrect) // the hour is up
	_, err = in.d.WaitRetract(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, []string{"post u-1", "held u-2", "edit post-u-1 to u-2", "retract post-u-1"}, ch.posts(),
		"corrected in place, then deleted: no correction posted after the retraction")
}
