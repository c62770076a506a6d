package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// fakeClock is a Clock whose sleeps pass at once, moving its time on.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	cancel func() // called by a sleep, which then ends with ctx
}

func (f *fakeClock) clock() Clock {
	return Clock{Now: func() time.Time { return f.now }, Sleep: func(ctx context.Context, d time.Duration) error {
		f.slept = append(f.slept, d)
		if f.cancel != nil {
			f.cancel()
			f.now = f.now.Add(d / 4)
			return ctx.Err()
		}
		f.now = f.now.Add(d)
		return nil
	}}
}

func wait(d time.Duration, ok bool) func() (time.Duration, bool) {
	return func() (time.Duration, bool) { return d, ok }
}

// An answer saying a limit is used up holds the requests counted against
// it until its reset, capped at Max; one saying it has requests left (an
// answer to a request counted before, arriving after) does not end the
// hold; a remaining that does not parse, or a reset not read, holds
// nothing; Every holds every key.
func TestNote(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limits{Max: 15 * time.Minute}
	l.Note("a", "5", now, wait(time.Minute, true))
	l.Note("a", "zero", now, wait(time.Minute, true))
	l.Note("a", "", now, wait(time.Minute, true))
	l.Note("a", "-1", now, wait(time.Minute, true))
	l.Note("a", "0", now, wait(0, false))
	assert.True(t, l.Until("a").IsZero(), "nothing held")

	l.Note("a", " 0 ", now, wait(time.Minute, true))
	assert.Equal(t, now.Add(time.Minute), l.Until("a"))
	assert.True(t, l.Until("b").IsZero(), "another limit is not held")
	assert.Equal(t, now.Add(time.Minute), l.Until("b", "a"))
	assert.Equal(t, now.Add(time.Minute), l.UntilAll())

	l.Note("b", "0", now, wait(1000*time.Hour, true))
	assert.Equal(t, now.Add(15*time.Minute), l.Until("b"), "capped at Max")
	l.Note("b", "0", now, wait(time.Second, true))
	assert.Equal(t, now.Add(15*time.Minute), l.Until("b"), "an earlier reset does not shorten a hold")

	l.Note("a", "3", now, wait(time.Minute, true))
	assert.Equal(t, now.Add(time.Minute), l.Until("a"), "an answer with requests left, counted earlier, ends no hold")

	l.Hold(Every, now, 2*time.Minute)
	assert.Equal(t, now.Add(2*time.Minute), l.Until("a"), "a global limit holds every key")
	assert.Equal(t, now.Add(2*time.Minute), l.Until())

	var zero Limits
	zero.Note("a", "0", now, wait(48*time.Hour, true))
	assert.Equal(t, now.Add(DefaultMax), zero.Until("a"))
}

// A request waits until its limit resets, by the clock it is given; one
// not held does not wait.
func TestWaitSleepsUntilTheReset(t *testing.T) {
	f := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var l Limits
	require.NoError(t, l.Wait(context.Background(), f.clock(), "the limit", "a"))
	assert.Empty(t, f.slept)

	l.Hold("a", f.now, 90*time.Second)
	require.NoError(t, l.Wait(context.Background(), f.clock(), "the limit", "a"))
	assert.Equal(t, []time.Duration{90 * time.Second}, f.slept)
	require.NoError(t, l.Wait(context.Background(), f.clock(), "the limit", "a"), "the reset passed")
	assert.Len(t, f.slept, 1)
}

// A wait longer than the context has left is not begun, and one the
// context ends fails (wrapping its error): both transient, with the time
// left to wait.
func TestWaitEndsRetryable(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		deadline bool
		want     time.Duration
	}{
		{"past the deadline", true, time.Minute},
		{"ended by the context", false, 45 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeClock{now: start}
			var l Limits
			l.Hold("a", f.now, time.Minute)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.deadline {
				ctx, cancel = context.WithTimeout(ctx, time.Second)
				defer cancel()
			} else {
				f.cancel = cancel
			}
			err := l.Wait(ctx, f.clock(), "the endpoint's limit", "a")
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.want, d)
			assert.Equal(t, !tc.deadline, errors.Is(err, context.Canceled), "%v", err)
			assert.Contains(t, err.Error(), "rate limit: the endpoint's limit is used up for")
			assert.Contains(t, err.Error(), "not requested")
		})
	}
}

// A limit that counts points remembers the fewest left an answer said
// until its reset: a request costing more waits for the reset, one
// costing no more does not; an answer saying more left, to a request made
// together with the one that left fewer, does not raise it before the
// reset, and one after the reset does. Wait (a cost of 1) is held by no
// limit with something left, and Every counts a request as 1.
func TestWaitForHoldsARequestCostingMoreThanIsLeft(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limits{Max: time.Hour}
	l.Note("w", "2", now, wait(40*time.Minute, true))
	reset := now.Add(40 * time.Minute)
	assert.Equal(t, reset, l.UntilFor(3, "w"), "a post of 3 points after 2 left")
	assert.True(t, l.UntilFor(2, "w").IsZero(), "an update of 2 points")
	assert.True(t, l.UntilFor(1, "w").IsZero(), "a deletion of 1 point")
	assert.True(t, l.Until("w").IsZero(), "a request costs 1")
	assert.True(t, l.UntilFor(0, "w").IsZero(), "a cost below 1 is 1")
	assert.True(t, l.UntilAll().IsZero(), "nothing used up")

	l.Note("w", "4990", now.Add(time.Second), wait(40*time.Minute, true))
	assert.Equal(t, reset.Add(time.Second), l.UntilFor(3, "w"), "an answer arriving late raises nothing, its reset counts")
	l.Note("w", "1", now.Add(time.Second), wait(time.Minute, true))
	assert.Equal(t, reset.Add(time.Second), l.UntilFor(2, "w"), "the fewest left, by the latest reset")
	assert.True(t, l.UntilFor(1, "w").IsZero())

	l.Note("w", "0", now.Add(2*time.Second), wait(time.Minute, true))
	assert.Equal(t, now.Add(62*time.Second), l.UntilFor(1, "w"), "none left holds every request")

	after := reset.Add(2 * time.Second)
	l.Note("w", "4997", after, wait(time.Hour, true))
	assert.Equal(t, now.Add(62*time.Second), l.UntilFor(3, "w"), "the new window's points, not the old hold's")
	assert.True(t, l.UntilFor(3, "w").Before(after))

	l.Note(Every, "2", now, wait(time.Minute, true))
	assert.True(t, l.UntilFor(3, "x").IsZero(), "Every counts a request as 1")
	l.Note("x", "5", now, wait(0, true))
	l.Note("x", "5", now, wait(time.Minute, false))
	assert.True(t, l.UntilFor(6, "x").IsZero(), "a reset passed or not read remembers nothing")
	l.Note("y", "1", now, wait(1000*time.Hour, true))
	assert.Equal(t, now.Add(time.Hour), l.UntilFor(2, "y"), "capped at Max")

	f := &fakeClock{now: now}
	require.NoError(t, l.WaitFor(context.Background(), f.clock(), "the limit", 2, "y"))
	assert.Equal(t, []time.Duration{time.Hour}, f.slept)
	require.NoError(t, l.WaitFor(context.Background(), f.clock(), "the limit", 2, "y"), "the reset passed")
	assert.Len(t, f.slept, 1)
}

// A wait is begun only when it leaves the request MinRoom of the
// attempt's time, or half of what the attempt has left when that is
// shorter: a hold ending just before the deadline would leave the request
// no time to finish, and its answer could be lost after the post was
// made. One leaving too little fails as a wait past the deadline does.
func TestWaitLeavesTheRequestRoom(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		timeout, hold time.Duration
		waits         bool
	}{
		{"ends a second before the deadline", time.Minute, 59 * time.Second, false},
		{"leaves less than MinRoom", time.Minute, time.Minute - MinRoom + time.Second, false},
		{"leaves MinRoom and more", time.Minute, time.Minute - 2*MinRoom, true},
		{"a short attempt: leaves less than half", 8 * time.Second, 5 * time.Second, false},
		{"a short attempt: leaves more than half", 8 * time.Second, time.Second, true},
		{"no deadline", 0, 1000 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeClock{now: start}
			var l Limits
			l.Hold("a", f.now, tc.hold)
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel func()
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			err := l.Wait(ctx, f.clock(), "the endpoint's limit", "a")
			if tc.waits {
				require.NoError(t, err)
				assert.Len(t, f.slept, 1)
				return
			}
			require.Error(t, err)
			assert.Empty(t, f.slept, "no wait begun")
			d, ok := broadcast.RetryDelay(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, min(tc.hold, DefaultMax), d)
			assert.Contains(t, err.Error(), "not requested")
		})
	}
}

// A request reserves what it costs when it goes, until its answer: two
// requests made together with too little left for both do not both go.
// The answer's Note gives the reservation back as it records what is
// left (which counts the request); a request without an answer gives it
// back with Release; either only once.
func TestReserveCountsRequestsNotYetAnswered(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeClock{now: now}
	ctx := context.Background()
	l := &Limits{Max: time.Hour}
	l.Note("w", "4", now, wait(40*time.Minute, true))
	reset := now.Add(40 * time.Minute)

	first, err := l.Reserve(ctx, f.clock(), "the limit", 3, "w")
	require.NoError(t, err)
	assert.Empty(t, f.slept, "3 of the 4 left")
	assert.Equal(t, reset, l.UntilFor(3, "w"), "a second post, made with the first unanswered, would be refused")
	assert.True(t, l.UntilFor(1, "w").IsZero(), "a deletion still fits")

	first.Note("w", "1", now, wait(40*time.Minute, true))
	first.Release()
	first.Note("w", "1", now, wait(40*time.Minute, true))
	assert.True(t, l.UntilFor(1, "w").IsZero(), "the answer gave the reservation back, once")
	assert.Equal(t, reset, l.UntilFor(2, "w"))

	del, err := l.Reserve(ctx, f.clock(), "the limit", 1, "w")
	require.NoError(t, err)
	assert.Equal(t, reset, l.UntilFor(1, "w"), "the last point is reserved")
	del.Release()
	del.Release()
	assert.True(t, l.UntilFor(1, "w").IsZero(), "no answer: given back, once")

	second, err := l.Reserve(ctx, f.clock(), "the limit", 3, "w")
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{40 * time.Minute}, f.slept, "the post waited for the reset")
	second.Release()
	assert.Empty(t, l.taken, "nothing reserved is left over")
}

// A Reservation gives back what it reserved of the keys it was made for,
// even when the caller changes the slice it passed afterwards: Release
// took from the limit the slice named then, underflowing its count, which
// then held its every request.
func TestReserveKeepsItsKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeClock{now: now}
	l := &Limits{Max: time.Hour}
	l.Note("w", "5", now, wait(time.Minute, true))
	l.Note("x", "5", now, wait(time.Minute, true))
	keys := []string{"w"}
	r, err := l.Reserve(context.Background(), f.clock(), "the limit", 3, keys...)
	require.NoError(t, err)
	keys[0] = "x"
	r.Release()
	assert.Empty(t, l.taken, "nothing reserved is left over")
	assert.True(t, l.UntilFor(5, "x").IsZero(), "the other limit's points are whole")
}

// An answer that says what several limits have left (X's endpoint window
// and 24-hour limits) records each and gives the reservation back at
// once: no request finds the reservation of one limit given back before
// the answer's count of it is recorded, free to go on what an earlier
// answer said was left.
func TestNoteEachGivesBackOnceAllAreRecorded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeClock{now: now}
	l := &Limits{Max: 24 * time.Hour}
	l.Note("window", "5", now, wait(15*time.Minute, true))
	l.Note("day", "1", now, wait(20*time.Hour, true))
	r, err := l.Reserve(context.Background(), f.clock(), "the limit", 1, "window", "day")
	require.NoError(t, err)

	var during []time.Time
	reading := func(d time.Duration) func() (time.Duration, bool) {
		return func() (time.Duration, bool) { during = append(during, l.UntilFor(1, "day")); return d, true }
	}
	r.NoteEach(now, Said{Key: "window", Remaining: "4", Reset: reading(15 * time.Minute)},
		Said{Key: "day", Remaining: "0", Reset: reading(20 * time.Hour)},
		Said{Key: "other", Remaining: "none", Reset: reading(time.Hour)})
	assert.Equal(t, []time.Time{now.Add(20 * time.Hour), now.Add(20 * time.Hour)}, during,
		"the day's last request stays reserved until its answer's count is recorded")
	assert.Empty(t, l.taken, "given back")
	assert.Equal(t, now.Add(20*time.Hour), l.Until("day"), "used up: held")
	assert.True(t, l.UntilFor(4, "window").IsZero())
	assert.Equal(t, now.Add(15*time.Minute), l.UntilFor(5, "window"), "4 left")
	r.Release()
	assert.Empty(t, l.taken, "given back once")
}

// blockingClock is a Clock whose sleeps last until their context ends,
// saying on sleeping when each begins; a sleep its context has not ended
// by notWoken's close passes whole, moving the clock on. Its time is
// read and moved under no lock: one goroutine sleeps at a time.
type blockingClock struct {
	now      time.Time
	sleeping chan time.Duration
	notWoken chan struct{}
}

func (b *blockingClock) clock() Clock {
	return Clock{Now: func() time.Time { return b.now }, Sleep: func(ctx context.Context, d time.Duration) error {
		b.sleeping <- d
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.notWoken:
			b.now = b.now.Add(d)
			return nil
		}
	}}
}

// A request held only by another request not yet answered, which
// reserved the points it needs, waits for the reset, but goes as soon as
// that request gives its reservation back with nothing said of what is
// left (no answer, or one without the fields), within the attempt's time
// too. Before, it waited for the whole reset (40 minutes), though the
// points were there again; and within an attempt of 30 seconds it failed
// at once, to be tried again after the reset.
func TestReserveWakesWhenAReservationIsGivenBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		give    func(r *Reservation, now time.Time)
	}{
		{"released, no deadline", 0, func(r *Reservation, _ time.Time) { r.Release() }},
		{"answered without the fields, within an attempt", 30 * time.Second, func(r *Reservation, now time.Time) {
			r.Note("w", "", now, wait(40*time.Minute, true))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			b := &blockingClock{now: now, sleeping: make(chan time.Duration, 1), notWoken: make(chan struct{})}
			l := &Limits{Max: time.Hour}
			l.Note("w", "4", now, wait(40*time.Minute, true))
			first, err := l.Reserve(context.Background(), b.clock(), "the limit", 3, "w")
			require.NoError(t, err)

			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel func()
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			type result struct {
				r   *Reservation
				err error
			}
			done := make(chan result, 1)
			go func() {
				r, err := l.Reserve(ctx, b.clock(), "the limit", 3, "w")
				done <- result{r, err}
			}()
			var got result
			select {
			case d := <-b.sleeping:
				assert.Equal(t, 40*time.Minute, d, "held until the reset")
				tc.give(first, now)
				select {
				case got = <-done:
				case <-time.After(5 * time.Second):
					// Not woken: the sleep passes whole, rather than
					// hang the test.
					close(b.notWoken)
					got = <-done
				}
			case got = <-done:
			}
			require.NoError(t, got.err, "the second post was not begun")
			assert.Equal(t, now, b.now, "the request went before the reset")
			assert.Equal(t, now.Add(40*time.Minute), l.UntilFor(2, "w"), "its points are reserved")
			got.r.Release()
			assert.Empty(t, l.taken)
		})
	}
}

// A request held only by another not yet answered waits within the
// attempt for a reservation given back only as long as leaves it room
// (see MinRoom): none given back by then, it fails as a wait not begun
// does, with the time until the reset, and is not made.
func TestReserveWaitForAReservationEndsWithTheRoom(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &blockingClock{now: now, sleeping: make(chan time.Duration, 1), notWoken: make(chan struct{})}
	l := &Limits{Max: time.Hour}
	l.Note("w", "4", now, wait(40*time.Minute, true))
	first, err := l.Reserve(context.Background(), b.clock(), "the limit", 3, "w")
	require.NoError(t, err)
	defer first.Release()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = l.Reserve(ctx, b.clock(), "the limit", 3, "w")
	require.Error(t, err)
	assert.Equal(t, 40*time.Minute, <-b.sleeping, "it waited for a reservation given back")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "it left the request room: %v", err)
	assert.False(t, broadcast.IsPermanent(err))
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 40*time.Minute, d)
	assert.Contains(t, err.Error(), "too long to wait and still make the request within the attempt: not requested")
	assert.Equal(t, uint64(3), l.taken["w"], "nothing reserved for it")
}
