package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// failing is a channel that fails, transiently, the updates listed in
// fail, and posts every other.
type failing struct {
	name string
	mu   sync.Mutex
	fail map[string]bool
}

func (c *failing) Name() string { return c.name }

func (c *failing) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail[m.Update.ID] {
		return broadcast.Receipt{}, errors.New("503 Service Unavailable")
	}
	return broadcast.Receipt{ID: c.name + "-" + m.Update.ID}, nil
}

func (c *failing) passAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = nil
}

// resultsWhere returns the names of the channels whose Result in rep
// keep reports.
func resultsWhere(rep *broadcast.Report, keep func(broadcast.Result) bool) []string {
	var names []string
	for _, r := range rep.Results {
		if keep(r) {
			names = append(names, r.Channel)
		}
	}
	return names
}

func superseded(rep *broadcast.Report) []string {
	return resultsWhere(rep, func(r broadcast.Result) bool { return r.Superseded })
}

// SupersededOn names the channels on which a newer update of the incident
// is posted, as a Send of the older update then finds them: the update
// is Superseded there, and posted where the newer one is not.
func TestSupersededOnSaysWhatSendDoes(t *testing.T) {
	x := &failing{name: "x", fail: map[string]bool{"older": true}}
	y := &failing{name: "y", fail: map[string]bool{"older": true}}
	z := &failing{name: "z", fail: map[string]bool{"older": true, "newer": true}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x, y, z)
	ctx := context.Background()
	older, newer := olderAndNewer("newer")
	older.ID = "older"

	_, err := b.Send(ctx, older)
	require.Error(t, err, "older reached no channel")
	_, err = b.Send(ctx, newer)
	require.Error(t, err, "newer did not reach z")

	names, err := b.SupersededOn(ctx, older)
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, names)
	names, err = b.SupersededOn(ctx, newer)
	require.NoError(t, err)
	assert.Empty(t, names, "nothing newer than newer")

	x.passAll()
	y.passAll()
	z.passAll()
	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, superseded(rep))
	assert.Equal(t, []string{"z"}, resultsWhere(rep, func(r broadcast.Result) bool { return r.Err == nil && !r.Superseded && !r.Skipped }))
}

// An update sent without a Time of its own takes, sent again, the Time it
// was first sent with, and of two updates of equal Time the one first
// sent later is the newer: SupersededOn orders them so, as a Send does,
// not by Time alone, after a restart too: the place of the first Send of
// an update sent with a Time of its own is recorded as that of one sent
// without (before, it was kept in memory only, and after a restart the
// older update, sent again, was posted after the newer).
func TestSupersededOnEqualTimes(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "same broadcaster", true: "restarted"}[restart], func(t *testing.T) {
			x := &failing{name: "x", fail: map[string]bool{"first": true}}
			store := broadcast.NewMemoryStore()
			opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
			b := newBroadcaster(t, opts, x)
			ctx := context.Background()
			first := validUpdate()
			first.ID, first.IncidentID = "first", "inc"

			_, err := b.Send(ctx, first) // no Time: the Store records the one it was sent with
			require.Error(t, err)
			sent, ok, err := b.SentTime(ctx, "first")
			require.NoError(t, err)
			require.True(t, ok)
			second := validUpdate()
			second.ID, second.IncidentID, second.Time = "second", "inc", sent
			second.Status = broadcast.StatusIdentified
			_, err = b.Send(ctx, second)
			require.NoError(t, err)
			if restart {
				require.NoError(t, b.Close())
				b = newBroadcaster(t, opts, x)
			}

			names, err := b.SupersededOn(ctx, first)
			require.NoError(t, err)
			assert.Equal(t, []string{"x"}, names, "second, of the same Time, was first sent later")
			ahead, err := b.SupersededOn(ctx, second)
			require.NoError(t, err)
			assert.Empty(t, ahead)

			x.passAll()
			rep, err := b.Send(ctx, first)
			require.NoError(t, err)
			assert.Equal(t, names, superseded(rep), "as SupersededOn said")
		})
	}
}

// After a Retract that deleted the newer post on some targets of a
// channel and not on others, the older update goes to the targets where
// the newer post is gone: SupersededOn does not name the channel.
func TestSupersededOnPartlyRetracted(t *testing.T) {
	ch := &regions{name: "chat", regions: []string{"eu", "us"},
		undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	ctx := context.Background()
	older, newer := olderAndNewer("newer")
	older.ID = "older"
	_, err := b.Send(ctx, newer)
	require.NoError(t, err)
	names, err := b.SupersededOn(ctx, older)
	require.NoError(t, err)
	assert.Equal(t, []string{"chat"}, names)

	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "us kept the post")
	names, err = b.SupersededOn(ctx, older)
	require.NoError(t, err)
	assert.Empty(t, names)
	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded)
	assert.Equal(t, []string{"eu"}, rep.Results[0].Delivered)
}

// SupersededOn refuses what Send refuses, naming the field, and answers
// ErrClosed after Close (a nil context: see TestNilContextIsAnError).
func TestSupersededOnRefuses(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, broadcast.ChannelFunc("x", noop))
	ctx := context.Background()
	u := validUpdate()
	u.Title = ""
	_, err := b.SupersededOn(ctx, u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "Title")
	u = validUpdate()
	u.Corrects = "a"
	_, err = b.SupersededOn(ctx, u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "Corrects")
	require.NoError(t, b.Close())
	_, err = b.SupersededOn(ctx, validUpdate())
	require.ErrorIs(t, err, broadcast.ErrClosed)
}
