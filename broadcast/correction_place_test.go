package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

type placeEditor struct {
	mu     sync.Mutex
	fail   map[string]bool // update ID refused (permanent)
	gone   map[string]bool // edit by this update ID finds the post gone
	posted []string
}

func (e *placeEditor) Name() string { return "x" }
func (e *placeEditor) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail[m.Update.ID] {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("503"))
	}
	e.posted = append(e.posted, m.Update.ID)
	return broadcast.Receipt{ID: fmt.Sprint("p", len(e.posted))}, nil
}
func (e *placeEditor) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone[m.Update.ID] {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("404: %w", broadcast.ErrPostGone))
	}
	return prev, nil
}

// C1 edited a in place (its receipt's UpdateTime is C1's own Time); C2
// corrects C1, whose post is gone, and is posted anew: it takes C1's place
// (right after a), so n, newer than a, is not superseded.
func TestCorrectionOfAnInPlaceEditPostedAnewSupersedesNoNewerUpdate(t *testing.T) {
	x := &placeEditor{fail: map[string]bool{}, gone: map[string]bool{}}
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	a, n := olderAndNewer("n")
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	x.mu.Lock()
	x.fail["n"] = true
	x.mu.Unlock()
	_, err = b.Send(ctx, n)
	require.Error(t, err)
	x.mu.Lock()
	delete(x.fail, "n")
	x.gone["c2"] = true
	x.mu.Unlock()
	c1 := a
	c1.ID, c1.Time, c1.Body = "c1", time.Time{}, "We are investigating elevated error rates in Europe."
	rep, err := b.Correct(ctx, "a", c1)
	require.NoError(t, err)
	require.True(t, rep.Results[0].Edited)
	c2 := a
	c2.ID, c2.Time, c2.Body = "c2", time.Time{}, "We are investigating elevated error rates in Europe and Asia."
	rep, err = b.Correct(ctx, "c1", c2)
	require.NoError(t, err)
	require.False(t, rep.Results[0].Edited)
	rep, err = b.Send(ctx, n)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "n is newer than a, c1 and c2")
}

// Explicit Time original delivered on y only; correction posted on x: held?
func TestCorrectionOfAnOriginalOnlyElsewhere(t *testing.T) {
	var fail sync.Map
	x, y := &script{name: "x"}, &script{name: "y"}
	b := newBroadcaster(t, broadcast.Options{}, refusing("x", x, &fail), refusing("y", y, &fail))
	ctx := context.Background()
	a, n := olderAndNewer("n")
	fail.Store("x/a", true)
	fail.Store("x/n", true)
	_, err := b.Send(ctx, a)
	require.Error(t, err)
	_, err = b.Send(ctx, n)
	require.Error(t, err)
	fail.Delete("x/n")
	c1 := a
	c1.ID, c1.Time, c1.Body = "c1", a.Time.Add(30*time.Minute), "We are investigating elevated error rates in Europe."
	_, err = b.Correct(ctx, "a", c1)
	require.NoError(t, err)
	rep, err := b.Send(ctx, n)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded)
	// and a's resend on x is superseded by the correction
	fail.Delete("x/a")
	rep, err = b.Send(ctx, a)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded)
}

func refusing(name string, s *script, fail *sync.Map) broadcast.Channel {
	return broadcast.ChannelFunc(name, func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if _, ok := fail.Load(name + "/" + m.Update.ID); ok {
			return broadcast.Receipt{}, broadcast.Permanent(errors.New("503 over capacity"))
		}
		return s.Send(ctx, m)
	})
}
