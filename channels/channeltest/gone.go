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
			rule: "Edit of a post that is gone from the platform either fails, changing nothing, with an error " +
				"wrapping broadcast.ErrPostGone (so that Broadcaster.Correct posts the correction anew; " +
				"broadcast.ErrRetracted where the channel knows its own Retract deleted it), or posts the " +
				"correction as a new post its receipt names; it never brings the deleted post back, " +
				"nor succeeds with the correction shown nowhere"},
		{name: "ReplyToGonePost", check: checkReplyGone, needs: needsAll(needsThreads, needsRetractor),
			rule: "a Send whose Thread names posts gone from the platform (deleted by hand) delivers the update " +
				"once, or fails, posting nothing, with an error that does not wrap broadcast.ErrPostGone " +
				"(only Edit and Retract may: a Send's fails for good)"},
	}
}

// An Edit of a deleted post says the post is gone, or posts the
// correction anew; the deleted post stays deleted.
func checkEditGone(s *suite) {
	m := message(update(1))
	prev := s.deliver(m)
	require.NoError(s.t, s.retract(context.Background(), prev), "Retract of the post with a working back end")
	before := s.be.Received()
	c := correction(m, 1)
	r, err := s.edit(context.Background(), c, prev)
	if err != nil {
		assert.Truef(s.t, errors.Is(err, broadcast.ErrPostGone) || errors.Is(err, broadcast.ErrRetracted),
			"Edit of a post that is gone: the error %q wraps neither broadcast.ErrPostGone nor "+
				"broadcast.ErrRetracted: Broadcaster.Correct fails instead of posting the correction anew", err)
		assert.Equal(s.t, before, s.be.Received(), "the back end after an Edit of a post that is gone")
		return
	}
	got := s.be.Received()
	require.Lenf(s.t, got, len(before)+s.perSend(), "Edit of a post that is gone succeeded: it must have "+
		"posted the correction anew, once to each target:%s", summary(got))
	assert.Equal(s.t, before, got[:len(before)], "Edit of a post that is gone changed the deleted post")
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
