package channeltest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// editRules check the optional broadcast.Editor and broadcast.Retractor.
func editRules() []rule {
	return []rule{
		{name: "EditChangesPost", check: checkEdit, needs: needsEditor,
			rule: "Edit of a delivered post changes that post in place (same platform id, the new text, " +
				"no new post) and no other post of the incident, and Edit through the receipt it returned " +
				"changes the same post again"},
		{name: "EditErrorsLikeSend", check: checkEditErrors, needs: needsEditor,
			rule: "Edit's errors are marked as Send's (transient, RetryAfter, Permanent; a done ctx's " +
				"error wrapped with %w), and a failed Edit changes nothing"},
		{name: "RetractRemovesPost", check: checkRetract, needs: needsRetractor,
			rule: "Retract of a delivered post deletes that post and no other; " +
				"Retract of a post already deleted is not an error"},
		{name: "RetractErrorsLikeSend", check: checkRetractErrors, needs: needsRetractor,
			rule: "Retract's errors are marked as Send's (transient, RetryAfter, Permanent; a done ctx's " +
				"error wrapped with %w), and a failed Retract deletes nothing"},
	}
}

func needsEditor(s subject) string {
	if s.editor {
		return ""
	}
	return "the channel is not a broadcast.Editor (by type assertion)"
}

func needsRetractor(s subject) string {
	if s.retractor {
		return ""
	}
	return "the channel is not a broadcast.Retractor (by type assertion)"
}

// correctedBody is the body of the corrections the Edit rules make.
const correctedBody = "Correction: the errors came from a faulty configuration push to CDN region %d, now rolled back."

// correction returns the Message of a correction of m's update, as
// Broadcaster.Correct makes it.
func correction(m broadcast.Message, n int) broadcast.Message {
	u := m.Update
	u.ID, u.Time = "", fixedTime.Add(10*time.Minute)
	u.Status = broadcast.StatusIdentified
	u.Body = fmt.Sprintf(correctedBody, n)
	u.Corrects = m.Update.ID
	return message(u)
}

// editor returns the channel's Editor, found as the Broadcaster finds it:
// on the channel or down its Unwrap chain.
func (s *suite) editor() broadcast.Editor {
	ed, _ := broadcast.As[broadcast.Editor](s.ch)
	return ed
}

// retractor returns the channel's Retractor, as editor does.
func (s *suite) retractor() broadcast.Retractor {
	rt, _ := broadcast.As[broadcast.Retractor](s.ch)
	return rt
}

// edit calls Edit; the test stops if it hangs.
func (s *suite) edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	s.t.Helper()
	return s.do(ctx, "Edit", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
		return s.editor().Edit(ctx, m, prev)
	})
}

// retract calls Retract; the test stops if it hangs.
func (s *suite) retract(ctx context.Context, prev broadcast.Receipt) error {
	s.t.Helper()
	_, err := s.do(ctx, "Retract", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, s.retractor().Retract(ctx, prev)
	})
	return err
}

// Edit changes the post in place, twice, and no other post: the first of
// an incident's two posts is corrected, with the incident's Thread in the
// Message as Broadcaster.Correct gives it, so that its Last is the other
// post; then the second is, and the first keeps its correction.
func checkEdit(s *suite) {
	m := message(update(1))
	prev := s.deliver(m)
	posted := s.received(1)
	if s.perSend() == 1 {
		require.NotEmpty(s.t, posted[0].ID, "Delivery.ID: the back end must show the platform id of each post")
		assert.Equal(s.t, posted[0].ID, prev.ID, "Receipt.ID of the Send: the platform id of the post")
	}
	next := message(update(2))
	next.Thread = broadcast.Thread{Root: prev, Last: prev}
	later := s.deliver(next)
	thread := broadcast.Thread{Root: prev, Last: later}
	posted = s.received(2)
	for n := 1; n <= 2; n++ {
		c := correction(m, n)
		c.Thread = thread
		r, err := s.edit(context.Background(), c, prev)
		require.NoErrorf(s.t, err, "Edit %d with a working back end", n)
		got := s.be.Received()
		if len(got) != len(posted) {
			s.t.Fatalf("after Edit %d the back end has %d posts, want %d: Edit must change the post, not add one:%s",
				n, len(got), len(posted), summary(got))
		}
		for i, d := range s.sent(0, 2) {
			assert.Equalf(s.t, posted[i].ID, d.ID, "Edit %d: the platform id of post %d", n, i+1)
			assert.Containsf(s.t, d.Text, c.Update.Body, "Edit %d: the corrected body in post %d", n, i+1)
			assert.NotContainsf(s.t, d.Text, m.Update.Body, "Edit %d: the original body in post %d", n, i+1)
			assert.Falsef(s.t, d.Deleted, "Edit %d: post %d deleted", n, i+1)
		}
		for i, d := range s.sent(1, 2) {
			assert.Equalf(s.t, posted[s.perSend()+i], d, "Edit %d of the incident's first post: its latest post, "+
				"Thread.Last, changed", n)
		}
		prev = s.stored(r, c.Update) // Broadcaster.Correct keeps it as the post of the correction
	}
	c := correction(next, 3)
	c.Thread = thread
	_, err := s.edit(context.Background(), c, later)
	require.NoError(s.t, err, "Edit of the incident's latest post with a working back end")
	for _, d := range s.sent(1, 2) {
		assert.Containsf(s.t, d.Text, c.Update.Body, "the corrected body in the latest post")
	}
	for _, d := range s.sent(0, 2) {
		assert.NotContainsf(s.t, d.Text, c.Update.Body, "Edit of the latest post: the first post, Thread.Root, "+
			"got its correction")
	}
}

// A failed or cancelled Edit is classified and changes nothing.
func checkEditErrors(s *suite) {
	for i, f := range classified(s.h.Failures) {
		m := message(update(i + 1))
		prev := s.deliver(m)
		before := s.be.Received()
		s.be.Fail(f)
		_, err := s.edit(context.Background(), correction(m, i+1), prev)
		s.be.Fail(FailNone)
		s.checkClass("Edit", f, err)
		assert.Equalf(s.t, before, s.be.Received(), "the back end after an Edit that failed with %s", f)
	}
	m := message(update(90))
	prev := s.deliver(m)
	before := s.be.Received()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.do(ctx, "Edit", cancelLimit, func(ctx context.Context) (broadcast.Receipt, error) {
		return s.editor().Edit(ctx, correction(m, 90), prev)
	})
	checkCancelledErr(s, "Edit", err)
	assert.Equal(s.t, before, s.be.Received(), "the back end after an Edit with a cancelled ctx")
}

// Retract deletes that post only; a second Retract is no error.
func checkRetract(s *suite) {
	first := s.deliver(message(update(1)))
	s.deliver(message(update(2)))
	require.NoError(s.t, s.retract(context.Background(), first), "Retract of the first post")
	for _, d := range s.sent(0, 2) {
		assert.Truef(s.t, d.Deleted, "the retracted post %q is deleted", d.ID)
	}
	for _, d := range s.sent(1, 2) {
		assert.Falsef(s.t, d.Deleted, "the other post %q is deleted", d.ID)
	}
	assert.NoError(s.t, s.retract(context.Background(), first), "Retract of a post already deleted")
	s.received(2)
}

// A failed or cancelled Retract is classified and deletes nothing.
func checkRetractErrors(s *suite) {
	for i, f := range classified(s.h.Failures) {
		prev := s.deliver(message(update(i + 1)))
		before := s.be.Received()
		s.be.Fail(f)
		err := s.retract(context.Background(), prev)
		s.be.Fail(FailNone)
		s.checkClass("Retract", f, err)
		assert.Equalf(s.t, before, s.be.Received(), "the back end after a Retract that failed with %s", f)
	}
	prev := s.deliver(message(update(90)))
	before := s.be.Received()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.do(ctx, "Retract", cancelLimit, func(ctx context.Context) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, s.retractor().Retract(ctx, prev)
	})
	checkCancelledErr(s, "Retract", err)
	assert.Equal(s.t, before, s.be.Received(), "the back end after a Retract with a cancelled ctx")
}

// checkCancelledErr checks the error of a call made with a cancelled ctx.
func checkCancelledErr(s *suite, what string, err error) {
	s.t.Helper()
	if assert.Errorf(s.t, err, "%s with a cancelled context", what) {
		assert.Truef(s.t, errors.Is(err, context.Canceled),
			"%s: errors.Is(err, context.Canceled) is false for %q: wrap the context's error with %%w", what, err)
	}
}
