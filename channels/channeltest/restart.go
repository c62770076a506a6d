package channeltest

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

func restartRules() []rule {
	return []rule{
		{name: "ThreadSurvivesRestart", check: checkThreadRestart, needs: needsThreads,
			rule: "through a Broadcaster whose boltstore is closed and opened again (a restart) after update 1, " +
				"and a new channel from Harness.Reopen, the one from New closed, " +
				"update 2 of the incident replies to update 1's Receipt.ID, and a correction of update 1 posted " +
				"in the thread replies to the Receipt.ID of the end Harness.ThreadsTo names, byte for byte"},
		{name: "EditAndRetractAfterRestart", check: checkPostsAfterRestart,
			needs: needsAll(needsReopen, needsEditorOrRetractor),
			rule: "with the channel from New closed (a restart), a new channel from Harness.Reopen edits (Editor) " +
				"in place and retracts (Retractor) a post the one from New made, through the receipt the Store " +
				"kept: what a channel keeps of its posts in memory or in its connections is gone after a restart"},
	}
}

func needsReopen(s subject) string {
	if s.h.Reopen != nil {
		return ""
	}
	return "Harness.Reopen is nil: there is no channel of a new process to edit or retract with"
}

func needsEditorOrRetractor(s subject) string {
	if s.editor || s.retractor {
		return ""
	}
	return "the channel is neither a broadcast.Editor nor a broadcast.Retractor (by type assertion)"
}

// checkPostsAfterRestart sends an update with the channel from New,
// closes that channel, as a process ending does, and edits and retracts
// the post with a channel from Harness.Reopen, through the receipt as the
// Store keeps it: the post must change in place, then be deleted. A
// channel that needs what the first one held (a handle of each post it
// made, a connection a new channel on the same back end borrows while the
// first is open) cannot, as after a real restart. EditOfGonePost's
// deletion by hand, made while New's channel is open, does not tell.
func checkPostsAfterRestart(s *suite) {
	m := message(update(1))
	prev := s.deliver(m)
	posted := s.received(1)
	closeChannel(s, s.ch, "the channel from New, before the restart")
	again := s.h.Reopen(s.t, s.be)
	require.NotNil(s.t, again, "channeltest: Harness.Reopen returned a nil Channel")
	defer closeChannel(s, again, "the channel from Harness.Reopen")
	if s.editor() != nil {
		ed, ok := broadcast.As[broadcast.Editor](again)
		if !ok {
			s.t.Fatal("the channel Harness.Reopen made is no broadcast.Editor, as the one from New is")
		}
		c := correction(m, 1)
		r, err := s.do(context.Background(), "Edit by the channel from Harness.Reopen", sendLimit,
			func(ctx context.Context) (broadcast.Receipt, error) { return ed.Edit(ctx, c, prev) })
		require.NoError(s.t, err, "Edit, by the channel from Harness.Reopen after a restart, of the post the "+
			"channel from New made, with a working back end")
		got := s.be.Received()
		require.Lenf(s.t, got, len(posted), "after the Edit by the channel from Harness.Reopen the back end has "+
			"%d posts, want %d: Edit must change the post, not add one:%s", len(got), len(posted), summary(got))
		for i, d := range got {
			assert.Equalf(s.t, posted[i].ID, d.ID, "the platform id of the post%s edited after a restart", targetOf(d))
			assert.Containsf(s.t, d.Text, c.Update.Body, "the post%s edited after a restart: the corrected body",
				targetOf(d))
			assert.Falsef(s.t, d.Deleted, "the post%s edited after a restart is deleted", targetOf(d))
		}
		if r.ID != "" { // Broadcaster.Correct keeps it as the post of the correction
			prev = s.stored(r, c.Update)
		}
	}
	if s.retractor() == nil {
		return
	}
	rt, ok := broadcast.As[broadcast.Retractor](again)
	if !ok {
		s.t.Fatal("the channel Harness.Reopen made is no broadcast.Retractor, as the one from New is")
	}
	_, err := s.do(context.Background(), "Retract by the channel from Harness.Reopen", sendLimit,
		func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, rt.Retract(ctx, prev)
		})
	require.NoError(s.t, err, "Retract, by the channel from Harness.Reopen after a restart, of the post the "+
		"channel from New made, with a working back end")
	for _, d := range s.received(1) {
		assert.Truef(s.t, d.Deleted, "the post %s%s after its Retract by the channel from Harness.Reopen, after "+
			"a restart: deleted", d.ID, targetOf(d))
	}
}

// sendOnly is the channel with only Name and Send, so that the
// Broadcaster neither closes it (the rule closes the channels itself, and
// without Harness.Reopen the same channel serves both sides of the
// restart) nor edits in place (Correct posts the correction in the thread).
type sendOnly struct{ ch broadcast.Channel }

func (c sendOnly) Name() string { return c.ch.Name() }

func (c sendOnly) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return c.ch.Send(ctx, m)
}

// Unwrap returns nil: sendOnly hides the channel's optional interfaces
// on purpose, which broadcast.New takes only when a wrapper says so.
func (sendOnly) Unwrap() broadcast.Channel { return nil }

// checkThreadRestart sends update 1 through a Broadcaster on a boltstore,
// closes both, and through new ones on the same file, with the channel
// Harness.Reopen makes, sends update 2 of the incident and a correction of
// update 1: the thread the Store kept must lead each to the post it
// replies to.
func checkThreadRestart(s *suite) {
	path := filepath.Join(s.t.TempDir(), "outagecast.db")
	ch := sendOnly{s.ch}
	start := func() (*broadcast.Broadcaster, func()) {
		st, err := boltstore.Open(path, nil)
		require.NoError(s.t, err, "boltstore.Open")
		b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: st,
			Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(s.t, err, "broadcast.New")
		return b, func() {
			assert.NoError(s.t, b.Close(), "Broadcaster.Close")
			assert.NoError(s.t, st.Close(), "boltstore's Close")
		}
	}
	deliver := func(what string, f func(context.Context) (*broadcast.Report, error)) broadcast.Receipt {
		s.t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), sendLimit)
		defer cancel()
		rep, err := f(ctx)
		require.NoErrorf(s.t, err, "%s with a working back end", what)
		require.Lenf(s.t, rep.Results, 1, "%s: Results", what)
		res := rep.Results[0]
		require.Falsef(s.t, res.Skipped || res.Superseded, "%s: the channel was skipped or superseded", what)
		require.NotEmptyf(s.t, res.Receipt.ID, "Receipt.ID of %s on a threading platform", what)
		return res.Receipt
	}
	base := fixedTime.Add(-time.Hour)
	u1, u2 := update(1), update(1) // one incident, one title
	u1.ID, u1.Time = "restart-1", base
	u2.ID, u2.Time, u2.Status = "restart-2", base.Add(time.Minute), broadcast.StatusIdentified

	b, stop := start()
	r1 := deliver("update 1", func(ctx context.Context) (*broadcast.Report, error) { return b.Send(ctx, u1) })
	stop()

	if s.h.Reopen == nil {
		s.t.Log("Harness.Reopen is nil: the same channel object serves both sides of the restart, " +
			"so only the Store is restarted; a thread the channel keeps in memory goes unnoticed")
	} else {
		closeChannel(s, s.ch, "the channel from New, before the restart")
		again := s.h.Reopen(s.t, s.be)
		require.NotNil(s.t, again, "channeltest: Harness.Reopen returned a nil Channel")
		defer closeChannel(s, again, "the channel from Harness.Reopen")
		require.Equal(s.t, s.ch.Name(), again.Name(),
			"Name of the channel from Harness.Reopen, made from the same configuration as New's")
		ch = sendOnly{again}
	}
	b, stop = start()
	defer stop()
	r2 := deliver("update 2, after the restart",
		func(ctx context.Context) (*broadcast.Report, error) { return b.Send(ctx, u2) })
	fix := u1
	fix.ID, fix.Body = "", "We are investigating elevated error rates for requests served from CDN region 2."
	deliver("the correction of update 1, after the restart",
		func(ctx context.Context) (*broadcast.Report, error) { return b.Correct(ctx, u1.ID, fix) })

	assert.Empty(s.t, s.sent(0, 3)[0].ReplyTo, "ReplyTo of update 1, the incident's first post")
	for _, d := range s.sent(1, 3) {
		assert.Equalf(s.t, s.postOf(r1.ID, s.sent(0, 3), d), d.ReplyTo, "ReplyTo of update 2%s, sent after the "+
			"restart: update 1's Receipt.ID", targetOf(d))
	}
	want, wantID, end := 0, r1.ID, "Root, update 1's post"
	if s.h.ThreadsTo == Last {
		want, wantID, end = 1, r2.ID, "Last, update 2's post"
	}
	for _, d := range s.sent(2, 3) {
		assert.Equalf(s.t, s.postOf(wantID, s.sent(want, 3), d), d.ReplyTo, "ReplyTo of the correction of "+
			"update 1%s, posted in the thread after the restart: by Harness.ThreadsTo, the platform replies to %s",
			targetOf(d), end)
	}
}

// closeChannel closes ch when it is an io.Closer, as a process ending
// does; Close may be called again by the harness's cleanup. A panic of
// Close fails the test rather than ending the test binary.
func closeChannel(s *suite, ch broadcast.Channel, what string) {
	s.t.Helper()
	c, ok := broadcast.As[io.Closer](ch)
	if !ok {
		return
	}
	_, err := s.do(context.Background(), "Close of "+what, sendLimit, recovering(
		func(context.Context) (broadcast.Receipt, error) { return broadcast.Receipt{}, c.Close() }))
	assert.NoErrorf(s.t, err, "Close of %s", what)
}
