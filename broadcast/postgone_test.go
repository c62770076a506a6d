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

// handRooms is an editable channel with targets (chat rooms), whose posts can
// be deleted by hand: Edit and Retract of a deleted room's post fail with
// broadcast.ErrPostGone, as a platform's "message not found" does.
type handRooms struct {
	name    string
	targets []string

	mu      sync.Mutex
	deleted map[string]bool // by room: its post was deleted by hand
	frozen  map[string]bool // by room: its post can no longer be edited
	posted  []string        // rooms, in the order Send posted to them
	edited  []string        // rooms, in the order Edit edited them
	sends   []broadcast.Message
}

func (r *handRooms) Name() string { return r.name }

func (r *handRooms) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, r.targets)
	r.mu.Lock()
	r.sends = append(r.sends, m)
	for _, i := range f.Todo() {
		r.posted = append(r.posted, r.targets[i])
		f.Posted(i, broadcast.Receipt{ID: fmt.Sprintf("%s-%d", r.targets[i], len(r.posted)),
			Meta: map[string]string{r.targets[i]: fmt.Sprint(len(r.posted))}})
	}
	r.mu.Unlock()
	rc := f.Receipt()
	return rc, f.Err()
}

func (r *handRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, r.targets)
	r.mu.Lock()
	for _, i := range f.Todo() {
		room := r.targets[i]
		if r.deleted[room] {
			f.Report(i, broadcast.Permanent(fmt.Errorf("404 message not found in %s: %w", room, broadcast.ErrPostGone)))
			continue
		}
		if r.frozen[room] {
			f.Report(i, broadcast.Permanent(fmt.Errorf("edit_window_closed in %s: %w", room, broadcast.ErrNotEditable)))
			continue
		}
		r.edited = append(r.edited, room)
		f.Report(i, nil)
	}
	r.mu.Unlock()
	return prev, f.Err()
}

func (r *handRooms) Retract(_ context.Context, prev broadcast.Receipt) error {
	f := broadcast.NewFanout(broadcast.Message{}, r.targets)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range f.Todo() {
		if r.deleted[r.targets[i]] {
			f.Report(i, broadcast.Permanent(fmt.Errorf("404 message not found: %w", broadcast.ErrPostGone)))
			continue
		}
		r.deleted[r.targets[i]] = true
		f.Report(i, nil)
	}
	return f.Err()
}

// A correction of an update whose post someone deleted by hand on the
// platform, or that the platform no longer lets the channel edit (too old,
// in an archived thread), is posted anew in the thread there, instead of
// failing for good: the readers get the correction all the same. Where
// the post can be edited, it is edited in place; only the rooms whose
// post is gone or frozen get a new post. A frozen post is still there: a
// Retract of the original deletes it.
func TestCorrectOfAPostDeletedByHandOrNotEditable(t *testing.T) {
	for _, tt := range []struct {
		name                          string
		targets, gone, edited, resent []string
	}{
		{"the only room's post", []string{"ops"}, []string{"ops"}, nil, []string{"ops"}},
		{"one room's post of two", []string{"us", "eu"}, []string{"eu"}, []string{"us"}, []string{"eu"}},
	} {
		for _, frozen := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, frozen %v", tt.name, frozen), func(t *testing.T) {
				ch := &handRooms{name: "chat", targets: tt.targets, deleted: map[string]bool{}, frozen: map[string]bool{}}
				b := newBroadcaster(t, broadcast.Options{}, ch)
				ctx := context.Background()
				u := validUpdate()
				u.ID = "wrong"
				_, err := b.Send(ctx, u)
				require.NoError(t, err)
				for _, room := range tt.gone {
					if frozen {
						ch.frozen[room] = true
					} else {
						ch.deleted[room] = true
					}
				}

				fixed := validUpdate()
				fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
				rep, err := b.Correct(ctx, "wrong", fixed)
				require.NoError(t, err, "the correction reached every room")
				assert.Equal(t, tt.edited, ch.edited, "edited in place where the post can be")
				assert.Equal(t, append(tt.targets, tt.resent...), ch.posted, "posted anew where it cannot")
				correction := ch.sends[len(ch.sends)-1]
				assert.Equal(t, "wrong", correction.Update.Corrects, "posted as a correction")
				assert.NotEmpty(t, correction.Thread.Last.ID, "in the incident's thread")
				assert.NotEmpty(t, rep.Results[0].Receipt.ID)

				again, err := b.Correct(ctx, "wrong", fixed)
				require.NoError(t, err)
				assert.True(t, again.Results[0].Skipped, "done once")

				if frozen {
					_, err = b.Retract(ctx, "wrong")
					require.NoError(t, err, "the original's posts are still there, and deleted")
					assert.Len(t, ch.deleted, len(tt.targets))
				}
			})
		}
	}
}

// Retract of a post someone already deleted by hand counts it as deleted.
func TestRetractOfAPostDeletedByHand(t *testing.T) {
	ch := &handRooms{name: "chat", targets: []string{"us", "eu"}, deleted: map[string]bool{}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	ch.deleted["eu"] = true

	rep, err := b.Retract(ctx, "wrong")
	require.NoError(t, err)
	assert.NoError(t, rep.Results[0].Err)
	assert.True(t, ch.deleted["us"])
}

// wrongOnSend is a channel with targets whose Send wrongly says a post is
// gone or cannot be edited: it answers every target with err (ErrPostGone
// is an Edit's and a Retract's, ErrNotEditable an Edit's).
type wrongOnSend struct {
	err   error
	calls int
}

func (*wrongOnSend) Name() string { return "odd" }

func (g *wrongOnSend) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	g.calls++
	f := broadcast.NewFanout(m, []string{"a", "b"})
	for _, i := range f.Todo() {
		f.Report(i, broadcast.Permanent(g.err))
	}
	return broadcast.Receipt{}, f.Err()
}

// A Send that says a post is gone, or cannot be edited, fails for good at
// once, instead of retrying its targets, which the Fanout leaves pending,
// until the retry policy gives up.
func TestSendThatSaysAPostIsGoneFailsForGood(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("404: %w", broadcast.ErrPostGone),
		fmt.Errorf("archived: %w", broadcast.ErrNotEditable),
	} {
		g := &wrongOnSend{err: err}
		b := newBroadcaster(t, broadcast.Options{}, g)
		rep, sendErr := b.Send(context.Background(), validUpdate())
		require.Error(t, sendErr)
		assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "%v", rep.Results[0].Err)
		assert.Equal(t, 1, g.calls, "%v", err)
	}
}

// refusingRooms is a Retractor whose rooms answer a deletion each as told:
// deleted (nil), gone already (ErrPostGone) or refused for good.
type refusingRooms struct {
	handRooms
	answers map[string]error // by room
	calls   int
}

func (r *refusingRooms) Retract(_ context.Context, _ broadcast.Receipt) error {
	f := broadcast.NewFanout(broadcast.Message{}, r.targets)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	for _, i := range f.Todo() {
		f.Report(i, r.answers[r.targets[i]])
	}
	return f.Err()
}

// A retraction that one room refuses for good is reported, even when
// another room's post was gone already: that one counts as deleted, the
// refusal does not.
func TestRetractReportsARefusalNextToAPostGone(t *testing.T) {
	ch := &refusingRooms{handRooms: handRooms{name: "chat", targets: []string{"us", "eu", "ap"}, deleted: map[string]bool{}},
		answers: map[string]error{
			"eu": broadcast.Permanent(fmt.Errorf("404 message not found: %w", broadcast.ErrPostGone)),
			"ap": broadcast.Permanent(fmt.Errorf("message can't be deleted: %w", broadcast.ErrNotSupported)),
		}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	rep, err := b.Retract(ctx, "wrong")
	require.Error(t, err, "ap still shows the update")
	r := rep.Results[0]
	assert.ErrorIs(t, r.Err, broadcast.ErrNotSupported)
	assert.True(t, broadcast.IsPermanent(r.Err), "a refusal for good is not retried: %v", r.Err)
	assert.NotErrorIs(t, r.Err, broadcast.ErrPostGone, "eu's post counts as deleted: %v", r.Err)
	assert.Equal(t, 1, ch.calls)
	names, err := b.RetractedOn(ctx, "wrong")
	require.NoError(t, err)
	assert.Empty(t, names, "ap still shows it")
}

// mixedRooms is handRooms whose Edit also fails transiently in some rooms,
// a given number of times, and counts the edits asked of each room.
type mixedRooms struct {
	handRooms
	flaky map[string]int // by room: edits left to fail transiently; -1: all
	tries map[string]int // by room: edits asked
}

func (r *mixedRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, r.targets)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range f.Todo() {
		room := r.targets[i]
		r.tries[room]++
		switch {
		case r.frozen[room]:
			f.Report(i, broadcast.Permanent(fmt.Errorf("edit_window_closed in %s: %w", room, broadcast.ErrNotEditable)))
		case r.deleted[room]:
			f.Report(i, broadcast.Permanent(fmt.Errorf("404 message not found in %s: %w", room, broadcast.ErrPostGone)))
		case r.flaky[room] != 0:
			r.flaky[room]--
			f.Report(i, fmt.Errorf("503 in %s", room))
		default:
			r.edited = append(r.edited, room)
			f.Report(i, nil)
		}
	}
	return prev, f.Err()
}

// A correction whose edit one room cannot take (its post is gone, or can
// no longer be edited) while another fails transiently posts the
// correction anew in the first room at once, and retries the edit in the
// other only: the first is not asked again on every retry, and gets the
// correction even when the retries run out.
func TestCorrectPostsAnewAtOnceNextToATransientEditFailure(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flaky int // edits of ap that fail
	}{
		{"the edit succeeds on a retry", 1},
		{"the retries run out", -1},
	} {
		for _, frozen := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, frozen %v", tt.name, frozen), func(t *testing.T) {
				ch := &mixedRooms{handRooms: handRooms{name: "chat", targets: []string{"us", "eu", "ap"},
					deleted: map[string]bool{}, frozen: map[string]bool{}},
					flaky: map[string]int{}, tries: map[string]int{}}
				b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 3,
					InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}}, ch)
				ctx := context.Background()
				u := validUpdate()
				u.ID = "wrong"
				_, err := b.Send(ctx, u)
				require.NoError(t, err)
				if frozen {
					ch.frozen["eu"] = true
				} else {
					ch.deleted["eu"] = true
				}
				ch.flaky["ap"] = tt.flaky

				fixed := validUpdate()
				fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
				rep, err := b.Correct(ctx, "wrong", fixed)
				assert.Equal(t, []string{"us", "eu", "ap", "eu"}, ch.posted, "eu got the correction posted anew, once")
				assert.Equal(t, 1, ch.tries["eu"], "eu's edit was not asked again")
				assert.Equal(t, 1, ch.tries["us"], "us was edited once")
				r := rep.Results[0]
				if tt.flaky < 0 {
					require.Error(t, err, "ap was never edited")
					assert.Equal(t, 3, ch.tries["ap"])
					require.Len(t, r.Pending, 1, "%v", r.Err)
					assert.Equal(t, "ap", r.Pending[0].Target)
					assert.ErrorContains(t, r.Pending[0].Err, "503 in ap")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, []string{"us", "ap"}, ch.edited)
				assert.Equal(t, 2, r.Attempts)

				again, err := b.Correct(ctx, "wrong", fixed)
				require.NoError(t, err)
				assert.True(t, again.Results[0].Skipped, "done once")
			})
		}
	}
}

// unrenderable is mixedRooms whose Send fails for good (the correction
// cannot be rendered).
type unrenderable struct{ mixedRooms }

func (*unrenderable) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	return broadcast.Receipt{}, broadcast.Permanent(&broadcast.TargetsError{Total: 2,
		Failures: []broadcast.TargetFailure{{Target: "eu", Err: errors.New("render: template error")}}})
}

// When the correction cannot be posted anew for good, the Correct fails at
// once: the edits left are not retried for a correction that cannot reach
// the other rooms.
func TestCorrectFailsWhenPostingAnewFailsForGood(t *testing.T) {
	ch := &unrenderable{mixedRooms{handRooms: handRooms{name: "chat", targets: []string{"eu", "ap"},
		deleted: map[string]bool{"eu": true}, frozen: map[string]bool{}},
		flaky: map[string]int{"ap": -1}, tries: map[string]int{}}}
	store := broadcast.NewMemoryStore()
	ctx := context.Background()
	// The original, posted by a Send that worked.
	require.NoError(t, store.SaveReceipt(ctx, "cdn", "wrong", broadcast.Receipt{Channel: "chat", ID: "p1", UpdateID: "wrong"}))
	require.NoError(t, store.Mark(ctx, "wrong", "chat", "", nil))
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)

	fixed := validUpdate()
	fixed.ID, fixed.IncidentID, fixed.Body = "fixed", "cdn", "The CDN in Europe is fine."
	rep, err := b.Correct(ctx, "wrong", fixed)
	require.Error(t, err)
	require.NotNil(t, rep, "%v", err)
	r := rep.Results[0]
	assert.True(t, broadcast.IsPermanent(r.Err), "%v", r.Err)
	assert.ErrorContains(t, r.Err, "template error")
	assert.Equal(t, 1, r.Attempts)
}
