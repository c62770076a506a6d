package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestPrune prunes twice: once with what day 1 recorded behind the cutoff,
// once with everything.
func TestPrune(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	day1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	day2, day3 := day1.Add(24*time.Hour), day1.Add(48*time.Hour)
	on := func(day time.Time) { s.now = func() time.Time { return day } }
	post := func(incident, update string) {
		t.Helper()
		require.NoError(t, s.SaveReceipt(ctx, incident, update, broadcast.Receipt{Channel: "x", ID: update}))
	}
	mark := func(update, channel, target string, failure error) {
		t.Helper()
		require.NoError(t, s.Mark(ctx, update, channel, target, failure))
	}

	on(day1)
	mark("u1", "email", "ada@example.com", nil)
	mark("u1", "email", "bob@example.com", errors.New("550 no such user"))
	post("inc-1", "u1")
	mark("u1", "x", "", nil)
	post("inc-2", "u0") // its mark comes a day later: the receipt is kept with it
	post("inc-4", "u3")
	mark("u3", "x", "", nil)
	on(day2)
	mark("u0", "x", "", nil)
	mark("u2", "email", "ada@example.com", nil)
	post("inc-3", "u2")
	mark("u2", "x", "", nil)
	post("inc-4", "u4") // a later update keeps inc-4's thread, Root and all
	mark("u4", "x", "", nil)

	n, err := s.Prune(ctx, day1)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is older than day 1")

	n, err = s.Prune(ctx, day2)
	require.NoError(t, err)
	assert.EqualValues(t, 7, n, "four marks, two receipts and a thread of day 1")
	assertMarks(t, s, map[[3]string]bool{
		{"u1", "email", "ada@example.com"}: false, {"u1", "email", "bob@example.com"}: false,
		{"u1", "x", ""}: false, {"u3", "x", ""}: false,
		{"u0", "x", ""}: true, {"u2", "email", "ada@example.com"}: true, {"u2", "x", ""}: true, {"u4", "x", ""}: true,
	})
	assertReceipts(t, s, map[string]bool{"u0": true, "u1": false, "u2": true, "u3": false, "u4": true})
	assertThreads(t, s, map[string][2]string{
		"inc-1": {}, "inc-2": {"u0", "u0"}, "inc-3": {"u2", "u2"}, "inc-4": {"u3", "u4"},
	})

	n, err = s.Prune(ctx, day3)
	require.NoError(t, err)
	assert.EqualValues(t, 10, n, "four marks, three receipts and three threads")
	assertMarks(t, s, map[[3]string]bool{{"u0", "x", ""}: false, {"u2", "x", ""}: false, {"u4", "x", ""}: false})
	assertReceipts(t, s, map[string]bool{"u0": false, "u2": false, "u4": false})
	assertThreads(t, s, map[string][2]string{"inc-2": {}, "inc-3": {}, "inc-4": {}})
}

func assertMarks(t *testing.T, s *Store, want map[[3]string]bool) {
	t.Helper()
	for k, w := range want {
		done, _, err := s.Done(context.Background(), k[0], k[1], k[2])
		require.NoError(t, err)
		assert.Equal(t, w, done, "mark %q kept", k)
	}
}

func assertReceipts(t *testing.T, s *Store, want map[string]bool) {
	t.Helper()
	for update, w := range want {
		r, found, err := s.Receipt(context.Background(), update, "x")
		require.NoError(t, err)
		if assert.Equal(t, w, found, "receipt of %s kept", update) && found {
			assert.Equal(t, update, r.ID)
		}
	}
}

// assertThreads checks the ids of each incident's Root and Last; none when
// the thread is gone.
func assertThreads(t *testing.T, s *Store, want map[string][2]string) {
	t.Helper()
	for incident, w := range want {
		th, err := s.Thread(context.Background(), incident, "x")
		require.NoError(t, err)
		assert.Equal(t, w, [2]string{th.Root.ID, th.Last.ID}, "thread of %s", incident)
	}
}

func TestPruneWithCancelledContextRemovesNothing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "ada@example.com", nil))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := s.Prune(ctx, time.Now().Add(time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, n)
	done, _, err := s.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, done)
}

// TestPruneWhoseContextEndsUnderWayRemovesNothing: a context that ends
// after Prune started, while it waited for the file's writer (behind
// another Prune, or a commit) or scanned, makes it remove nothing and
// return the context's error, as documented. Before, the scan looked at
// the context every 1024 entries only: a store of fewer, or the last
// entries of any, were removed, and Prune returned nil for a context
// that had ended.
func TestPruneWhoseContextEndsUnderWayRemovesNothing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.SaveReceipt(context.Background(), "inc", "u1", broadcast.Receipt{Channel: "x", ID: "p1"}))

	n, err := s.Prune(&endsAfterFirstLook{Context: context.Background()}, time.Now().Add(time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, n)
	done, _, err := s.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, done, "the mark is kept")
	_, found, err := s.Receipt(context.Background(), "u1", "x")
	require.NoError(t, err)
	assert.True(t, found, "the receipt is kept")
}

// endsAfterFirstLook is a context that is not done when first asked, and
// cancelled from then on: one that ends once the call has started.
type endsAfterFirstLook struct {
	context.Context
	looked bool
}

func (c *endsAfterFirstLook) Err() error {
	if !c.looked {
		c.looked = true
		return nil
	}
	return context.Canceled
}

// editor posts each update and edits a post in place; it keeps the thread
// each update was sent in.
type editor struct{ threads map[string]broadcast.Thread }

func (e *editor) Name() string { return "x" }

func (e *editor) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	e.threads[m.Update.ID] = m.Thread
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (e *editor) Edit(_ context.Context, _ broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	return prev, nil
}

// editRetractor is an editor that deletes posts too.
type editRetractor struct{ editor }

func (e *editRetractor) Retract(context.Context, broadcast.Receipt) error { return nil }

// An update sent on day 1 and corrected in place on day 3: a prune of
// what is older than day 2 keeps the correction, and the incident's
// thread, in which the edited post stands, so that the next update
// replies to it; also when the incident's first post was retracted, and
// the update corrected started its thread anew. (pgstore keeps the same:
// its Prune follows the same storetest rules.)
func TestPruneKeepsTheThreadOfAnInPlaceCorrection(t *testing.T) {
	for _, restarted := range []bool{false, true} {
		t.Run(map[bool]string{false: "first post", true: "restarted thread"}[restarted], func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
			require.NoError(t, err)
			ctx := context.Background()
			x := &editRetractor{editor{threads: map[string]broadcast.Thread{}}}
			b, err := broadcast.New([]broadcast.Channel{x}, broadcast.Options{Store: s})
			require.NoError(t, err)
			defer func() { require.NoError(t, b.Close()); require.NoError(t, s.Close()) }()
			day1 := time.Now().Add(-72 * time.Hour)
			s.now = func() time.Time { return day1 }
			u := broadcast.Update{ID: "a", IncidentID: "inc", Title: "CDN errors", Status: broadcast.StatusInvestigating,
				Body: "We are investigating elevated error rates.", Time: day1.UTC()}
			_, err = b.Send(ctx, u)
			require.NoError(t, err)
			if restarted {
				_, err = b.Retract(ctx, "a")
				require.NoError(t, err)
				u.ID, u.Time = "b", day1.UTC().Add(time.Minute)
				_, err = b.Send(ctx, u)
				require.NoError(t, err)
			}

			s.now = func() time.Time { return day1.Add(48 * time.Hour) }
			fix := u
			fix.ID, fix.Time, fix.Body = u.ID+"-fix", time.Time{}, "We are investigating elevated error rates in Europe."
			rep, err := b.Correct(ctx, u.ID, fix)
			require.NoError(t, err)
			require.True(t, rep.Results[0].Edited)

			_, err = s.Prune(ctx, day1.Add(24*time.Hour))
			require.NoError(t, err)
			_, kept, err := s.Receipt(ctx, fix.ID, "x")
			require.NoError(t, err)
			require.True(t, kept, "the correction's receipt")
			th, err := s.Thread(ctx, "inc", "x")
			require.NoError(t, err)
			assert.Equal(t, "post-"+u.ID, th.Last.ID, "the incident's thread")

			// A fresh Broadcaster knows only what the Store kept.
			b2, err := broadcast.New([]broadcast.Channel{x}, broadcast.Options{Store: s})
			require.NoError(t, err)
			defer func() { require.NoError(t, b2.Close()) }()
			next := u
			next.ID, next.Time, next.Status = "next", time.Time{}, broadcast.StatusIdentified
			_, err = b2.Send(ctx, next)
			require.NoError(t, err)
			assert.Equal(t, "post-"+u.ID, x.threads["next"].Last.ID, "the next update replies to the edited post")
			assert.Equal(t, "post-"+u.ID, x.threads["next"].Root.ID, "the thread's first post, not a deleted one")
		})
	}
}
