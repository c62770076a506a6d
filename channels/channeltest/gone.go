package channeltest

import (
	"context"
	"errors"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// goneRules check what the channel does with a post that is gone from the
// platform (deleted by hand; the suite deletes it with Retract).
func goneRules() []rule {
	return []rule{
		{name: "EditOfGonePost", check: checkEditGone, needs: needsAll(needsEditor, needsRetractor),
			rule: "Edit of a post that is gone from the platform either fails, changing nothing, or posts the " +
				"correction as a new post its receipt names; it never brings the deleted post back, nor succeeds " +
				"with the correction shown nowhere. Deleted by hand (the suite deletes it with the Retract of a " +
				"channel from Harness.Reopen, one that did not make the post), the error wraps " +
				"broadcast.ErrPostGone, so that Broadcaster.Correct posts the correction anew, and neither " +
				"broadcast.ErrNotEditable (for a post still there) nor broadcast.ErrRetracted; deleted by the " +
				"channel's own Retract, it wraps broadcast.ErrPostGone, or broadcast.ErrRetracted marked " +
				"permanent, as the Broadcaster refuses the correction of an update it retracted"},
		{name: "ReplyToGonePost", check: checkReplyGone, needs: needsAll(needsThreads, needsRetractor),
			rule: "a Send whose Thread names posts gone from the platform (deleted by hand) delivers the update " +
				"once, or fails, posting nothing, with an error that does not wrap broadcast.ErrPostGone " +
				"(only Edit and Retract may: a Send's fails for good)"},
	}
}

// An Edit of a deleted post says the post is gone, as broadcast's
// ErrPostGone has it, or posts the correction anew; the deleted post stays
// deleted. The post is deleted as by hand, by another channel on the same
// back end, when the harness can make one; then by the channel itself,
// which may know it did and refuse, for good, with ErrRetracted, as the
// Broadcaster refuses the correction of an update it retracted.
func checkEditGone(s *suite) {
	if s.h.Reopen == nil {
		s.t.Log("Harness.Reopen is nil: only a post the channel under test deleted itself is edited")
	} else {
		editGone(s, update(1), true)
	}
	editGone(s, update(2), false)
}

// editGone sends u, deletes its post (byHand: with a channel from
// Harness.Reopen; else with the channel's own Retract) and edits it.
func editGone(s *suite, u broadcast.Update, byHand bool) {
	s.t.Helper()
	m := message(u)
	start := len(s.be.Received()) // this Edit's posts; the other part's are not compared
	prev := s.deliver(m)
	what := "deleted by hand"
	if byHand {
		require.NoError(s.t, s.deleteByHand(prev), "Retract of the post by another channel, with a working back end")
	} else {
		what = "its own Retract deleted"
		require.NoError(s.t, s.retract(context.Background(), prev), "Retract of the post with a working back end")
	}
	before := s.be.Received()
	c := correction(m, 1)
	r, err := s.edit(context.Background(), c, prev)
	if err != nil {
		retracted := errors.Is(err, broadcast.ErrRetracted)
		switch {
		case byHand && retracted:
			s.t.Errorf("Edit of a post %s: the error %q wraps broadcast.ErrRetracted, the Broadcaster's word "+
				"for an update it retracted, not a channel's for a post deleted on the platform (or the "+
				"deletion was the channel's own: a channel from Harness.Reopen that shares memory with New's "+
				"is no new process)", what, err)
		case retracted:
			assert.Truef(s.t, broadcast.IsPermanent(err), "Edit of a post %s: the error %q wraps "+
				"broadcast.ErrRetracted but is not marked permanent: the Broadcaster would retry it", what, err)
		default:
			assert.Truef(s.t, errors.Is(err, broadcast.ErrPostGone), "Edit of a post %s: the error %q "+
				"does not wrap broadcast.ErrPostGone: Broadcaster.Correct fails instead of posting the "+
				"correction anew", what, err)
		}
		assert.Falsef(s.t, errors.Is(err, broadcast.ErrNotEditable), "Edit of a post %s: the error %q "+
			"wraps broadcast.ErrNotEditable, which says the post is still there", what, err)
		assert.Equalf(s.t, before[start:], s.be.Received()[start:], "the back end after an Edit of a post %s", what)
		return
	}
	got := s.be.Received()
	require.Lenf(s.t, got, len(before)+s.perSend(), "Edit of a post that is gone succeeded: it must have "+
		"posted the correction anew, once to each target:%s", summary(got))
	assert.Equalf(s.t, before[start:], got[start:len(before)], "Edit of a post %s changed the deleted post", what)
	for _, d := range got[len(before):] {
		assert.Containsf(s.t, d.Text, c.Update.Body, "the post Edit made of a post that is gone: the correction")
		assert.Falsef(s.t, d.Deleted, "the post Edit made of a post that is gone is deleted")
		if s.perSend() == 1 {
			assert.Equal(s.t, d.ID, r.ID, "Receipt.ID of an Edit that posted the correction anew: the new post")
		}
	}
}

// A Send replying to deleted posts delivers the update (in the thread
// where the platform still has one, or as a post of its own), or fails
// without the mark of an Edit's or a Retract's missing post.
func checkReplyGone(s *suite) {
	first := s.deliver(message(update(1)))
	next := message(update(2))
	next.Thread = broadcast.Thread{Root: first, Last: first}
	second := s.deliver(next)
	for _, prev := range []broadcast.Receipt{first, second} {
		require.NoError(s.t, s.retract(context.Background(), prev), "Retract with a working back end")
	}
	m := message(update(3))
	m.Thread = broadcast.Thread{Root: first, Last: second}
	if _, err := s.send(m); err != nil {
		s.t.Logf("Send replying to posts that are gone: %v", err)
		assert.Falsef(s.t, errors.Is(err, broadcast.ErrPostGone),
			"Send replying to posts that are gone: its error %q wraps broadcast.ErrPostGone", err)
		s.received(2)
		return
	}
	for _, d := range s.sent(2, 3) {
		assert.Truef(s.t, containsTitle(d.Text, m.Update.Title), "the delivery replying to posts that are gone is "+
			"update 3: %q", d.Text)
		assert.Falsef(s.t, d.Deleted, "the delivery replying to posts that are gone is deleted")
	}
}

// deleteByHand deletes the post of prev as someone else does on the
// platform: with the Retract of a channel from Harness.Reopen (a new
// process on the same back end), which did not make the post, so that the
// channel under test learns of the deletion only from the platform.
// Harness.Reopen is not nil.
func (s *suite) deleteByHand(prev broadcast.Receipt) error {
	s.t.Helper()
	other := s.h.Reopen(s.t, s.be)
	require.NotNil(s.t, other, "channeltest: Harness.Reopen returned a nil Channel")
	defer closeChannel(s, other, "the channel from Harness.Reopen that deleted the post")
	rt, ok := broadcast.As[broadcast.Retractor](other)
	if !ok {
		s.t.Fatal("the channel Harness.Reopen made is no broadcast.Retractor, as the one from New is")
	}
	_, err := s.do(context.Background(), "Retract by another channel", sendLimit,
		func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, rt.Retract(ctx, prev)
		})
	return err
}
