package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// editable is a channel that can edit and delete its posts.
type editable struct {
	script
	mu       sync.Mutex
	edits    []broadcast.Receipt // prev of each Edit
	edited   []broadcast.Update
	retracts []broadcast.Receipt
	fail     error // Retract and Edit fail with it when set
}

func (e *editable) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return broadcast.Receipt{}, e.fail
	}
	e.edits = append(e.edits, prev)
	e.edited = append(e.edited, m.Update)
	prev.Meta = map[string]string{"edited": "yes"}
	return prev, nil
}

func (e *editable) Retract(_ context.Context, prev broadcast.Receipt) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	e.retracts = append(e.retracts, prev)
	return nil
}

func TestCorrect(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	irc := &script{name: "irc"}
	late := &editable{script: script{name: "late"}} // an Editor that never posted the original
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"late": {Statuses: []broadcast.Status{broadcast.StatusIdentified}},
	}}, slack, irc, late)

	wrong := validUpdate()
	wrong.Body = "The EU region is down."
	rep, err := b.Send(context.Background(), wrong)
	require.NoError(t, err)
	posted := rep.Results[0].Receipt
	assert.True(t, rep.Results[2].NotSelected)

	fixed := validUpdate()
	fixed.Body = "The US region is down."
	fixed.Status = broadcast.StatusIdentified
	rep, err = b.Correct(context.Background(), rep.UpdateID, fixed)
	require.NoError(t, err)

	require.Len(t, slack.edits, 1, "an Editor edits its post in place")
	assert.Equal(t, posted.ID, slack.edits[0].ID)
	assert.Equal(t, "The US region is down.", slack.edited[0].Body)
	assert.Equal(t, wrong.WithDefaults(time.Time{}).ID, slack.edited[0].Corrects)
	assert.Equal(t, 1, slack.count(), "and posts nothing new")
	assert.Equal(t, "yes", rep.Results[0].Receipt.Meta["edited"])

	require.Equal(t, 2, irc.count(), "a channel that cannot edit posts the correction in the thread")
	m := irc.message(1)
	assert.Equal(t, rep.UpdateID, m.Update.ID)
	assert.NotEmpty(t, m.Update.Corrects)
	assert.Equal(t, "irc-1", m.Thread.Last.ID)

	assert.Empty(t, late.edits, "an Editor without the original's receipt does not edit")
	assert.Equal(t, 1, late.count(), "it posts the correction instead")

	again, err := b.Correct(context.Background(), wrong.WithDefaults(time.Time{}).ID, fixed)
	require.NoError(t, err)
	for _, r := range again.Results {
		assert.True(t, r.Skipped, "the same correction again is skipped: %s", r.Channel)
	}
}

func TestCorrectValidates(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	_, err := b.Correct(context.Background(), "", validUpdate())
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "original: missing")
	bad := validUpdate()
	bad.Title = ""
	_, err = b.Correct(context.Background(), "u_1", bad)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
}

func TestRetract(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	irc := &script{name: "irc"}
	other := &editable{script: script{name: "other"}}
	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"other": {Statuses: []broadcast.Status{broadcast.StatusResolved}},
	}}, slack, irc, other)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)

	ret, err := b.Retract(context.Background(), rep.UpdateID)
	require.Error(t, err, "the IRC line cannot be taken back: the caller must know")
	assert.ErrorIs(t, err, broadcast.ErrNotSupported)
	require.Len(t, slack.retracts, 1)
	assert.Equal(t, rep.Results[0].Receipt.ID, slack.retracts[0].ID)
	assert.NoError(t, ret.Results[0].Err)
	assert.ErrorIs(t, ret.Results[1].Err, broadcast.ErrNotSupported)
	assert.True(t, broadcast.IsPermanent(ret.Results[1].Err))
	assert.True(t, ret.Results[2].Skipped, "a channel that never posted the update is left alone")
	assert.Empty(t, other.retracts)

	ret, _ = b.Retract(context.Background(), rep.UpdateID)
	assert.True(t, ret.Results[0].Skipped, "retracting again does nothing")
	assert.Len(t, slack.retracts, 1)

	_, err = b.Retract(context.Background(), "")
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
}

func TestRetractRetries(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	b := newBroadcaster(t, broadcast.Options{}, slack)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	slack.fail = broadcast.Permanent(errors.New("403 cant_delete_message"))
	ret, err := b.Retract(context.Background(), rep.UpdateID)
	require.Error(t, err)
	assert.Equal(t, 1, ret.Results[0].Attempts)
	slack.fail = nil
	ret, err = b.Retract(context.Background(), rep.UpdateID)
	require.NoError(t, err, "a failed retraction can be tried again")
	assert.Len(t, slack.retracts, 1)
	assert.False(t, ret.Results[0].Skipped)
}

type checker struct {
	script
	err    error
	checks atomic.Int32
}

func (c *checker) Check(context.Context) error {
	c.checks.Add(1)
	return c.err
}

func TestCheck(t *testing.T) {
	bad := errors.New("401 invalid_auth")
	b := newBroadcaster(t, broadcast.Options{},
		&checker{script: script{name: "ok"}}, &checker{script: script{name: "bad"}, err: bad}, &script{name: "plain"})
	errs := b.Check(context.Background())
	require.Len(t, errs, 3)
	assert.NoError(t, errs[0])
	assert.Same(t, bad, errs[1], "a Checker's error as is")
	assert.ErrorIs(t, errs[2], broadcast.ErrNotSupported)
}

// An older update of an incident is never posted after a newer one on the
// same channel.
func TestOlderUpdateIsSuperseded(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	investigating := validUpdate()
	investigating.Time = t0
	resolved := validUpdate()
	resolved.Status, resolved.Time = broadcast.StatusResolved, t0.Add(time.Hour)

	_, err := b.Send(context.Background(), resolved)
	require.NoError(t, err)
	rep, err := b.Send(context.Background(), investigating)
	require.NoError(t, err, "superseded is not an error")
	assert.True(t, rep.Results[0].Superseded)
	assert.Zero(t, rep.Results[0].Attempts)
	assert.Equal(t, 1, x.count())

	// Also after a restart: the Store's thread knows.
	store := broadcast.NewMemoryStore()
	b1 := newBroadcaster(t, broadcast.Options{Store: store}, &script{name: "x"})
	_, err = b1.Send(context.Background(), resolved)
	require.NoError(t, err)
	x2 := &script{name: "x"}
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, x2)
	rep, err = b2.Send(context.Background(), investigating)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded)
	assert.Equal(t, 0, x2.count())

	// Equal times: the later Send is the newer one.
	monitoring := validUpdate()
	monitoring.Status, monitoring.Time = broadcast.StatusMonitoring, resolved.Time
	rep, err = b.Send(context.Background(), monitoring)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded)
}

// A retry waiting out a rate limit for an older update stops as soon as a
// newer one is delivered.
func TestRetryWaitStopsWhenSuperseded(t *testing.T) {
	var mu sync.Mutex
	calls := map[broadcast.Status]int{}
	waiting := make(chan struct{})
	x := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[m.Update.Status]++
		if m.Update.Status == broadcast.StatusInvestigating {
			close(waiting)
			return broadcast.Receipt{}, broadcast.RetryAfter(errors.New("429 too many requests"), time.Hour)
		}
		return broadcast.Receipt{ID: "2"}, nil
	})
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour}}, x)
	t0 := time.Now()
	investigating := validUpdate()
	investigating.Time = t0
	resolved := validUpdate()
	resolved.Status, resolved.Time = broadcast.StatusResolved, t0.Add(time.Minute)

	done := make(chan *broadcast.Report)
	go func() {
		rep, err := b.Send(context.Background(), investigating)
		assert.NoError(t, err)
		done <- rep
	}()
	<-waiting
	_, err := b.Send(context.Background(), resolved)
	require.NoError(t, err)
	select {
	case rep := <-done:
		assert.True(t, rep.Results[0].Superseded)
		assert.Equal(t, 1, rep.Results[0].Attempts)
		assert.Equal(t, 1, calls[broadcast.StatusInvestigating], "never posted after the newer one")
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting retry did not stop when the newer update was delivered")
	}
}

func TestAdvice(t *testing.T) {
	u := validUpdate()
	u.Advice = "Retry with backoff; \x1b[1mno\x1b[0m action needed otherwise."
	var got broadcast.Update
	b := newBroadcaster(t, broadcast.Options{}, broadcast.ChannelFunc("spy", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		got = m.Update
		return broadcast.Receipt{}, nil
	}))
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, "Retry with backoff; no action needed otherwise.", got.Advice)
	other := u
	other.Advice = "Use the EU endpoint."
	assert.NotEqual(t, u.WithDefaults(time.Time{}).ID, other.WithDefaults(time.Time{}).ID, "advice is content")
	none := u
	none.Advice = ""
	assert.Equal(t, validUpdate().WithDefaults(time.Time{}).ID, none.WithDefaults(time.Time{}).ID,
		"updates without advice keep the IDs they always had")
}

// After a retraction, later updates do not reply to the deleted post, and
// Correct neither edits it nor posts a correction of it.
func TestRetractedPostLeavesTheThread(t *testing.T) {
	x := &editable{script: script{name: "x"}}
	b := newBroadcaster(t, broadcast.Options{}, x)
	send := func(status broadcast.Status) *broadcast.Report {
		u := validUpdate()
		u.Status = status
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		return rep
	}
	send(broadcast.StatusInvestigating) // x-1
	second := send(broadcast.StatusIdentified)
	_, err := b.Retract(context.Background(), second.UpdateID)
	require.NoError(t, err)
	send(broadcast.StatusMonitoring)
	th := x.message(2).Thread
	assert.Equal(t, "x-1", th.Last.ID, "the reply goes to the latest post still there")
	assert.Equal(t, "x-1", th.Root.ID)

	fixed := validUpdate()
	fixed.Body = "Corrected."
	_, err = b.Correct(context.Background(), second.UpdateID, fixed)
	require.ErrorIs(t, err, broadcast.ErrRetracted)
	assert.Empty(t, x.edits, "a deleted post is not edited")
	assert.Equal(t, 3, x.count(), "nor corrected with a new post")
}

func TestSkippedResultCarriesReceipt(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	first, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	again, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.True(t, again.Results[0].Skipped)
	assert.Equal(t, first.Results[0].Receipt.ID, again.Results[0].Receipt.ID, "the link of the earlier post")
}

// A target that failed for good in an earlier Send is tried again by a
// later one, as a channel that failed for good as a whole is: what failed
// may have been put right since.
func TestEarlierTargetFailuresAreTriedAgain(t *testing.T) {
	store := broadcast.NewMemoryStore()
	u := validUpdate().WithDefaults(time.Now())
	require.NoError(t, store.Mark(context.Background(), u.ID, "fanout", "c", errors.New("550 no such user")))
	f := &fanout{targets: []string{"a", "b", "c"}, visits: map[string]int{}}
	b := newBroadcaster(t, broadcast.Options{Store: store}, f)
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Empty(t, rep.Results[0].Failures)
	assert.Equal(t, []string{"a", "b", "c"}, f.got)
}

// A correction needs an ID of its own: with the original's, it would be
// found delivered and nothing would be corrected.
func TestCorrectionWithTheOriginalsIDIsRefused(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	u := validUpdate()
	u.ID = "a1"
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	u.Body = "Corrected."
	_, err = b.Correct(context.Background(), "a1", u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "ID: the same as the update it corrects")
	_, err = b.Jobs(broadcast.JobCorrect, u, "a1")
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
}

// A post edited in place keeps its place: the next update still replies
// to the latest post, not to the corrected one.
func TestEditInPlaceKeepsTheThread(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	b := newBroadcaster(t, broadcast.Options{}, slack)
	first, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	second := validUpdate()
	second.Status = broadcast.StatusIdentified
	_, err = b.Send(context.Background(), second)
	require.NoError(t, err)
	fixed := validUpdate()
	fixed.Body = "Corrected."
	rep, err := b.Correct(context.Background(), first.UpdateID, fixed)
	require.NoError(t, err)
	require.Len(t, slack.edits, 1)
	assert.Equal(t, rep.UpdateID, rep.Results[0].Receipt.UpdateID, "the correction's receipt is the edited post")
	assert.Equal(t, "slack-1", rep.Results[0].Receipt.ID)
	third := validUpdate()
	third.Status = broadcast.StatusResolved
	_, err = b.Send(context.Background(), third)
	require.NoError(t, err)
	th := slack.message(2).Thread
	assert.Equal(t, "slack-2", th.Last.ID, "the latest post is still the second update's")
	assert.Equal(t, "slack-1", th.Root.ID)
}

// slowEditor posts numbered posts and edits in place, its Edit waiting for
// release once inEdit is closed; it deletes on Retract and records the
// Thread of each Send.
type slowEditor struct {
	mu      sync.Mutex
	n       int
	inEdit  chan struct{} // nil: Edit does not wait
	release chan struct{}
	edits   []string
	deleted map[string]bool
	threads []broadcast.Thread
}

func (e *slowEditor) Name() string { return "slack" }

func (e *slowEditor) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	e.threads = append(e.threads, m.Thread)
	return broadcast.Receipt{ID: fmt.Sprintf("post-%d", e.n)}, nil
}

func (e *slowEditor) Edit(_ context.Context, _ broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if e.inEdit != nil {
		close(e.inEdit)
		<-e.release
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.edits = append(e.edits, prev.ID)
	return prev, nil
}

func (e *slowEditor) Retract(_ context.Context, prev broadcast.Receipt) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deleted[prev.ID] = true
	return nil
}

// An update delivered while a correction is being edited in stays the
// thread's latest: an older update sent afterwards is superseded.
func TestCorrectionKeepsNewerUpdateLatest(t *testing.T) {
	ch := &slowEditor{inEdit: make(chan struct{}), release: make(chan struct{}), deleted: map[string]bool{}}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	u1 := validUpdate()
	u1.ID, u1.IncidentID, u1.Time = "u1", "inc", t0
	_, err := b.Send(context.Background(), u1)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		fix := u1
		fix.ID, fix.Body = "u1-fix", "Corrected text."
		_, err := b.Correct(context.Background(), "u1", fix)
		done <- err
	}()
	<-ch.inEdit
	// The newer update waits for the edit's attempt (one attempt at a time
	// per incident and channel), then posts.
	u2 := validUpdate()
	u2.ID, u2.IncidentID, u2.Time, u2.Status = "u2", "inc", t0.Add(time.Hour), broadcast.StatusIdentified
	sent := make(chan error, 1)
	go func() {
		_, err := b.Send(context.Background(), u2)
		sent <- err
	}()
	close(ch.release)
	require.NoError(t, <-done)
	require.NoError(t, <-sent)

	th, err := store.Thread(context.Background(), "inc", "slack")
	require.NoError(t, err)
	assert.Equal(t, "u2", th.Last.UpdateID, "the correction's edit does not move the thread back")
	late := validUpdate()
	late.ID, late.IncidentID, late.Time = "u-late", "inc", t0.Add(30*time.Minute)
	rep, err := b.Send(context.Background(), late)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "older than u2")
}

// Retracting an in-place correction deletes the post its original shares:
// later updates do not reply to it, and correcting the original posts anew
// instead of editing a deleted post.
func TestRetractedCorrectionTakesOriginalsPost(t *testing.T) {
	ch := &slowEditor{deleted: map[string]bool{}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	u1 := validUpdate()
	u1.ID, u1.IncidentID, u1.Time = "u1", "inc", t0
	_, err := b.Send(context.Background(), u1)
	require.NoError(t, err)
	fix := u1
	fix.ID, fix.Body = "u1-fix", "Corrected text."
	_, err = b.Correct(context.Background(), "u1", fix)
	require.NoError(t, err)
	require.Equal(t, []string{"post-1"}, ch.edits)
	_, err = b.Retract(context.Background(), "u1-fix")
	require.NoError(t, err)
	require.True(t, ch.deleted["post-1"])

	u2 := validUpdate()
	u2.ID, u2.IncidentID, u2.Time = "u2", "inc", t0.Add(time.Hour)
	_, err = b.Send(context.Background(), u2)
	require.NoError(t, err)
	th := ch.threads[len(ch.threads)-1]
	assert.True(t, th.IsZero(), "u2 starts a new thread: its only post was deleted, got %+v", th)

	again := u1
	again.ID, again.Body = "u1-fix-2", "Corrected again."
	rep, err := b.Correct(context.Background(), "u1", again)
	require.ErrorIs(t, err, broadcast.ErrRetracted, "u1's post went with its correction's retraction")
	assert.Equal(t, []string{"post-1"}, ch.edits, "no edit of the deleted post")
	assert.Zero(t, rep.Results[0].Receipt, "nor a correction of it posted anew")
}

// Correcting an update no channel delivered (a mistyped ID) is refused,
// naming original, and posts nothing.
func TestCorrectUnknownOriginal(t *testing.T) {
	ch := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	_, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	fix := validUpdate()
	fix.ID, fix.Body = "fix", "Corrected."
	rep, err := b.Correct(context.Background(), "u_doesnotexist", fix)
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "original")
	assert.Equal(t, 1, ch.count(), "nothing posted")
}

// receiptsOf fails every read of a receipt on channel ch.
type receiptsOf struct {
	*broadcast.MemoryStore
	ch string
}

func (s receiptsOf) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if channel == s.ch {
		return broadcast.Receipt{}, false, errors.New("injected: read timeout")
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

// Retracting an update no channel posted (a mistyped ID) is refused,
// naming updateID, rather than reported as skipped everywhere with no
// error; retracting again what was retracted is not. A receipt that cannot
// be read counts as there: the retraction's attempts read it again.
func TestRetractUnknownUpdate(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	store := receiptsOf{broadcast.NewMemoryStore(), "broken"}
	b := newBroadcaster(t, broadcast.Options{Store: store}, slack, &script{name: "irc"})
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)

	ret, err := b.Retract(context.Background(), "u_doesnotexist")
	assert.Nil(t, ret)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, `updateID: no channel posted update "u_doesnotexist"`)
	assert.Empty(t, slack.retracts)

	_, err = b.Retract(context.Background(), rep.UpdateID)
	assert.ErrorIs(t, err, broadcast.ErrNotSupported, "irc")
	require.Len(t, slack.retracts, 1)
	ret, err = b.Retract(context.Background(), rep.UpdateID)
	assert.NotErrorIs(t, err, broadcast.ErrInvalidUpdate, "retracting again is no mistake")
	assert.True(t, ret.Results[0].Skipped)

	// The broken channel's receipt cannot be read, and slack has none of
	// this update: whether the ID is wrong cannot be told, and the
	// retraction runs.
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, &script{name: "broken"}, &editable{script: script{name: "slack"}})
	ret, err = b2.Retract(context.Background(), "u_doesnotexist")
	assert.NotErrorIs(t, err, broadcast.ErrInvalidUpdate, "unknown, not absent")
	assert.ErrorContains(t, ret.Results[0].Err, "injected: read timeout")
	assert.True(t, ret.Results[1].Skipped)
}

// A correction goes in the thread of the update it corrects. One whose
// incident has no thread where the original was posted (its Title changed,
// and no IncidentID was given, so it got another slug) is refused, naming
// IncidentID, and posts nothing; with the original's incident it goes out.
func TestCorrectIntoAnotherIncident(t *testing.T) {
	ch := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	orig := validUpdate()
	orig.IncidentID = ""
	rep, err := b.Send(context.Background(), orig)
	require.NoError(t, err)

	fix := validUpdate()
	fix.IncidentID, fix.Title = "", "Elevated CDN error rates in the EU"
	_, err = b.Correct(context.Background(), rep.UpdateID, fix)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, `IncidentID: "elevated-cdn-error-rates-in-the-eu" is not the incident of update`)
	assert.ErrorContains(t, err, fmt.Sprintf("which was posted in incident %q; give the correction that incident", rep.IncidentID),
		"the refusal names the incident to give")
	assert.Equal(t, 1, ch.count(), "nothing posted")

	fix.IncidentID = rep.IncidentID
	_, err = b.Correct(context.Background(), rep.UpdateID, fix)
	require.NoError(t, err)
	// An IncidentID given is the caller's word: a thread a Store pruned
	// while keeping a later receipt must not leave no way through.
	fix.IncidentID, fix.ID = "no-thread-here", "fix-given"
	_, err = b.Correct(context.Background(), rep.UpdateID, fix)
	require.NoError(t, err)
	fix.IncidentID, fix.Title, fix.ID = "", orig.Title, "fix-2"
	_, err = b.Correct(context.Background(), rep.UpdateID, fix)
	require.NoError(t, err, "the same Title: the same slug")
	assert.Equal(t, 4, ch.count())
}

// The record of the Time an update was first sent with is written before
// any attempt, with the incident of that Send. An update whose first Send
// reached no channel, sent again with another Title (so another derived
// incident), was posted in the second incident: a correction with that
// Title goes through, and one with the first Title is refused, naming the
// incident the update was posted in, not the record's.
func TestCorrectAfterAResendInAnotherIncident(t *testing.T) {
	ch := &script{name: "x", errs: []error{broadcast.Permanent(errors.New("down"))}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID, u.IncidentID, u.Title = "u1", "", "First title"
	_, err := b.Send(context.Background(), u)
	require.Error(t, err)
	u.Title = "Second title"
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	require.Equal(t, "second-title", rep.IncidentID)

	fix := validUpdate()
	fix.ID, fix.IncidentID, fix.Title = "fix-1", "", "First title"
	_, err = b.Correct(context.Background(), u.ID, fix)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, `"first-title" is not the incident of update`)
	assert.NotContains(t, err.Error(), `posted in incident "first-title"`)

	fix.ID, fix.Title = "fix-2", "Second title"
	_, err = b.Correct(context.Background(), u.ID, fix)
	require.NoError(t, err, "posted in the second incident: the correction goes there")
}

// failingReceipts is a Store whose receipts cannot be saved.
type failingReceipts struct{ *broadcast.MemoryStore }

func (failingReceipts) SaveReceipt(context.Context, string, string, broadcast.Receipt) error {
	return errors.New("disk full")
}

// An update delivered whose receipt was not recorded is no typo: Retract
// says the posts cannot be found (ErrNotRecorded), not "check the ID".
func TestRetractWithoutRecordedReceipt(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	b := newBroadcaster(t, broadcast.Options{Store: failingReceipts{broadcast.NewMemoryStore()}}, slack)
	rep, err := b.Send(context.Background(), validUpdate())
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)

	ret, err := b.Retract(context.Background(), rep.UpdateID)
	assert.Nil(t, ret)
	assert.ErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.NotErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "was delivered on slack, but its receipt was not recorded")
}

// Thread is the incident's thread as the channel's next delivery sees it:
// a retracted post is not in it.
func TestThreadLeavesOutRetractedPosts(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	b, err := broadcast.New([]broadcast.Channel{slack}, broadcast.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	th, err := b.Thread(ctx, validUpdate().WithDefaults(time.Now()).IncidentID, "slack")
	require.NoError(t, err)
	assert.True(t, th.IsZero())

	rep, err := b.Send(ctx, validUpdate())
	require.NoError(t, err)
	th, err = b.Thread(ctx, rep.IncidentID, "slack")
	require.NoError(t, err)
	assert.Equal(t, rep.UpdateID, th.Root.UpdateID)
	assert.Equal(t, rep.UpdateID, th.Last.UpdateID)

	_, err = b.Retract(ctx, rep.UpdateID)
	require.NoError(t, err)
	th, err = b.Thread(ctx, rep.IncidentID, "slack")
	require.NoError(t, err)
	assert.True(t, th.IsZero(), "the only post was deleted: %+v", th)

	_, err = b.Thread(ctx, rep.IncidentID, "nope")
	assert.ErrorContains(t, err, `no channel "nope"`)
	require.NoError(t, b.Close())
	_, err = b.Thread(ctx, rep.IncidentID, "slack")
	assert.ErrorIs(t, err, broadcast.ErrClosed)
}
