package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// broadcasterRules run a Broadcaster with fake channels over the Store,
// wrapped in faulty where a rule needs the Store to fail.
func broadcasterRules() []rule {
	return []rule{
		{
			name: "SendTwiceSkips",
			rule: "a second Send of a delivered update, by another Broadcaster over the same Store, skips every " +
				"channel and calls none",
			check: checkSendTwiceSkips,
		},
		{
			name: "NextUpdateThreads",
			rule: "the next update of an incident reaches each channel with the incident's first post as " +
				"Thread.Root and its latest as Thread.Last, and another incident's with none",
			check: checkNextUpdateThreads,
		},
		{
			name: "RetractedLatestPassedOver",
			rule: "after the retraction of an incident's latest post, the next update reaches the channel with the " +
				"latest post still up before it as Thread.Last, also for another Broadcaster",
			check: checkRetractedLatestPassedOver,
		},
		{
			name: "OlderUpdateSuperseded",
			rule: "an update older than the incident's latest post on a channel, as the Store records it, even by " +
				"less than a microsecond, is not posted there, also by another Broadcaster: its Result says Superseded",
			check: checkOlderUpdateSuperseded,
		},
		{
			name: "OlderUpdateWaitsForRetraction",
			rule: "while a JobRetract of the incident's latest post waits to retry its deletion, an older update's " +
				"JobSend, run by another Broadcaster, is not Superseded: it fails with a RetryDelay, and is posted " +
				"once the retry deleted the newer post",
			check: checkOlderUpdateWaitsForRetraction,
		},
		{
			name: "OlderUpdateKeptFromNewerTargets",
			rule: "an older update sent again, by another Broadcaster, is not posted to a target of a fan-out " +
				"channel that a newer update of the incident reached first, while that newer one is still pending " +
				"elsewhere: its Result lists the target in SupersededTargets",
			check: checkOlderUpdateKeptFromNewerTargets,
		},
		{
			name: "ResentUpdateKeepsItsTime",
			rule: "an update every channel missed, sent again without a Time after a newer update of its incident " +
				"went out, keeps the Time of its first Send, also for another Broadcaster: its Result says Superseded",
			check: checkResentUpdateKeepsItsTime,
		},
		{
			name: "DoneUnreadable",
			rule: "when Done cannot be read for the channel, the channel is not called: the attempt fails " +
				"transiently, the channel is delivered once the Store reads again, and Send fails if it never does",
			check: checkDoneUnreadable,
		},
		{
			name: "TargetUnreadable",
			rule: "when the Store cannot be read for one target, that target is not sent to blind: the attempt " +
				"is retried and the target delivered once the Store reads, and Send fails if it never does",
			check: checkTargetUnreadable,
		},
		{
			name: "ThreadUnreadable",
			rule: "when Thread cannot be read, the channel is not called (it would post outside the incident's " +
				"thread): the attempt is transient and the channel gets the thread once the Store reads",
			check: checkThreadUnreadable,
		},
		{
			name: "ReceiptUnreadable",
			rule: "when the receipt of the update to edit or delete cannot be read, the channel is not called " +
				"(it would post anew, or skip the deletion): the attempt is transient and the post is changed once the Store reads",
			check: checkReceiptUnreadable,
		},
		{
			name: "DeliveryNotRecorded",
			rule: "when the Store cannot record a delivery (Mark or SaveReceipt fails after the channel delivered), " +
				"the channel is not called again and Send's error matches broadcast.ErrNotRecorded",
			check: checkDeliveryNotRecorded,
		},
		{
			name: "TargetMarkNotRecorded",
			rule: "a target whose MarkDelivered failed is not sent to again within the same Send, and Send's " +
				"error matches broadcast.ErrNotRecorded",
			check: checkTargetMarkNotRecorded,
		},
		{
			name: "EveryWriteFails",
			rule: "three Sends of one update over a Store that fails every write each deliver once, as nothing " +
				"says they delivered before, and each fails with broadcast.ErrNotRecorded, never nil",
			check: checkEveryWriteFails,
		},
		{
			name: "PostsKeptAcrossRestart",
			rule: "a target's post (Fanout.Posted) is kept with its mark: the attempt that completes the delivery, " +
				"by another Broadcaster over the same Store, names the posts of every attempt in its receipt, " +
				"and sends to no target twice",
			check: checkPostsKeptAcrossRestart,
		},
		{
			name: "PartialDeliveryRetracted",
			rule: "a Retract of an update that reached only some of a channel's targets deletes their posts, by " +
				"another Broadcaster over the same Store, and no later Send posts the update on that channel",
			check: checkPartialDeliveryRetracted,
		},
		{
			name: "CorrectAfterPartialRetract",
			rule: "a Correct after a partial Retract posts nowhere the Retract deleted: after a Retract that " +
				"deleted the post on some targets of a fan-out channel and failed for good on others, a Correct " +
				"of the update, by another Broadcaster over the same Store, and a JobCorrect of that correction, " +
				"by a third, refuse the targets where the post was deleted (broadcast.ErrRetracted) and reach the others",
			check: checkCorrectAfterPartialRetract,
		},
		{
			name: "PostNotRecorded",
			rule: "when the Store cannot save a target's post, the target is not sent to again and Send's error " +
				"matches broadcast.ErrNotRecorded",
			check: checkPostNotRecorded,
		},
		{
			name: "PostUnreadable",
			rule: "when the post of an earlier attempt cannot be read, the delivery completes without it: no target " +
				"is sent to twice, the receipt is saved with the posts that could be read, and Send's error matches " +
				"broadcast.ErrNotRecorded; a read that fails once and then succeeds, in a later attempt, is no error",
			check: checkPostUnreadable,
		},
		{
			name: "TargetFailureReasonKept",
			rule: "a target's permanent failure is kept with the channel's reason: a Job's later run (its next " +
				"attempt) answers it done with that reason and does not send to it again; a later Send tries it " +
				"again, and not the targets delivered",
			check: checkTargetFailureReasonKept,
		},
	}
}

func checkSendTwiceSkips(t *testing.T, s broadcast.Store) {
	x, f := &poster{name: "x"}, newFan("email", "ada@example.com", "bob@example.com")
	_, err := newBroadcaster(t, s, x.channel(), f.channel()).Send(context.Background(), update(1))
	require.NoError(t, err)

	rep, err := newBroadcaster(t, s, x.channel(), f.channel()).Send(context.Background(), update(1))
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.True(t, r.Skipped, "%s: not skipped", r.Channel)
	}
	assert.Len(t, x.calls(), 1, "x delivered once")
	assert.Equal(t, map[string]int{"ada@example.com": 1, "bob@example.com": 1}, f.sends(), "each target delivered once")
}

func checkNextUpdateThreads(t *testing.T, s broadcast.Store) {
	x := &poster{name: "x"}
	b := newBroadcaster(t, s, x.channel())
	var posts []broadcast.Receipt
	for n := 1; n <= 3; n++ {
		rep, err := b.Send(context.Background(), update(n))
		require.NoError(t, err)
		posts = append(posts, rep.Results[0].Receipt)
	}
	other := update(4)
	other.IncidentID = "inc-2"
	_, err := b.Send(context.Background(), other)
	require.NoError(t, err)

	msgs := x.calls()
	require.Len(t, msgs, 4)
	assert.True(t, msgs[0].Thread.IsZero(), "the first update has no thread: %+v", msgs[0].Thread)
	for n := 1; n <= 2; n++ {
		assertReceipt(t, posts[0], msgs[n].Thread.Root)
		assertReceipt(t, posts[n-1], msgs[n].Thread.Last)
	}
	assert.True(t, msgs[3].Thread.IsZero(), "threads never cross incidents: %+v", msgs[3].Thread)
}

func checkRetractedLatestPassedOver(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	x := &poster{name: "x"}
	b := newBroadcaster(t, s, x)
	var posts []broadcast.Receipt
	for n := 1; n <= 4; n++ {
		rep, err := b.Send(ctx, update(n))
		require.NoError(t, err)
		posts = append(posts, rep.Results[0].Receipt)
	}
	for _, id := range []string{"u4", "u3"} {
		_, err := b.Retract(ctx, id)
		require.NoError(t, err)
	}
	_, err := newBroadcaster(t, s, x).Send(ctx, update(5))
	require.NoError(t, err)

	msgs := x.calls()
	require.Len(t, msgs, 5)
	assertReceipt(t, posts[0], msgs[4].Thread.Root)
	assertReceipt(t, posts[1], msgs[4].Thread.Last)
}

func checkOlderUpdateWaitsForRetraction(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	x := &poster{name: "x", retractErrs: []error{errTryLater}}
	b1, b2 := newBroadcaster(t, s, x), newBroadcaster(t, s, x)
	_, err := b1.Send(ctx, update(2))
	require.NoError(t, err)
	retract, err := b1.Jobs(broadcast.JobRetract, broadcast.Update{}, "u2")
	require.NoError(t, err)
	res := b1.RunJob(ctx, retract[0], 1)
	require.ErrorIs(t, res.Err, errTryLater, "the deletion is to be retried")

	older, err := b2.Jobs(broadcast.JobSend, update(1), "")
	require.NoError(t, err)
	res = b2.RunJob(ctx, older[0], 1)
	assert.False(t, res.Superseded, "superseded by a post whose retraction is under way")
	require.Error(t, res.Err, "u1 waits for the retraction of u2")
	_, hinted := broadcast.RetryDelay(res.Err)
	assert.True(t, hinted, "a wait, not a failed attempt: %v", res.Err)
	assert.Len(t, x.calls(), 1, "u1 not posted while u2's post may stay")

	require.NoError(t, b1.RunJob(ctx, retract[0], 2).Err)
	res = b2.RunJob(ctx, older[0], 1)
	require.NoError(t, res.Err)
	assert.False(t, res.Superseded)
	assert.Len(t, x.calls(), 2, "u1 posted once u2's post was deleted")
}

func checkOlderUpdateSuperseded(t *testing.T, s broadcast.Store) {
	x := &poster{name: "x"}
	_, err := newBroadcaster(t, s, x.channel()).Send(context.Background(), update(2))
	require.NoError(t, err)

	rep, err := newBroadcaster(t, s, x.channel()).Send(context.Background(), update(1))
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "u1 was written before u2, which is out")
	assert.Len(t, x.calls(), 1, "u1 was not posted after u2")

	// Less than a microsecond apart: a Store that rounds the times it
	// keeps (a SQL timestamp column keeps microseconds) makes the older
	// update look the newer.
	older, newer := update(3), update(4)
	base := time.Date(2025, 3, 14, 16, 0, 0, 0, time.UTC)
	older.Time, newer.Time = base.Add(100*time.Nanosecond), base.Add(900*time.Nanosecond)
	_, err = newBroadcaster(t, s, x.channel()).Send(context.Background(), newer)
	require.NoError(t, err)
	rep, err = newBroadcaster(t, s, x.channel()).Send(context.Background(), older)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "u3 was written 800ns before u4, which is out")
	assert.Len(t, x.calls(), 2, "u3 was not posted after u4")
}

func checkOlderUpdateKeptFromNewerTargets(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := newFan("email", "ada@example.com", "bob@example.com")
	// u1 reaches ada, not bob; u2 reaches bob, not ada.
	f.fail["ada@example.com"] = append([]error{nil}, failing(fast.MaxAttempts, errTryLater)...)
	f.fail["bob@example.com"] = failing(fast.MaxAttempts, errTryLater)
	_, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.Error(t, err)
	_, err = newBroadcaster(t, s, f.channel()).Send(ctx, update(2))
	require.Error(t, err)
	require.Equal(t, map[string]int{"ada@example.com": 1 + fast.MaxAttempts, "bob@example.com": 1 + fast.MaxAttempts},
		f.sends())

	rep, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"ada@example.com": 1 + fast.MaxAttempts, "bob@example.com": 1 + fast.MaxAttempts},
		f.sends(), "u1 was not sent to bob after u2")
	assert.Equal(t, []string{"bob@example.com"}, rep.Results[0].SupersededTargets)

	rep, err = newBroadcaster(t, s, f.channel()).Send(ctx, update(2))
	require.NoError(t, err)
	assert.Equal(t, []string{"ada@example.com"}, rep.Results[0].Delivered, "u2 reaches ada")
	assert.Empty(t, rep.Results[0].SupersededTargets)
}

func checkResentUpdateKeepsItsTime(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	first, second := update(1), update(2)
	first.Time, second.Time = time.Time{}, time.Time{} // each takes its Send's
	down := &poster{name: "x", errs: make([]error, fast.MaxAttempts)}
	for i := range down.errs {
		down.errs[i] = errors.New("503 try later")
	}
	_, err := newBroadcaster(t, s, down.channel()).Send(ctx, first)
	require.Error(t, err, "x missed u1")
	sent, ok, err := newBroadcaster(t, s, down.channel()).SentTime(ctx, "u1")
	require.NoError(t, err)
	require.True(t, ok, "the Time of an update every channel missed is kept")

	x := &poster{name: "x"}
	_, err = newBroadcaster(t, s, x.channel()).Send(ctx, second)
	require.NoError(t, err)
	rep, err := newBroadcaster(t, s, x.channel()).Send(ctx, first) // to retry the channel that missed it
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "u1 is older than u2, which is out")
	assert.Len(t, x.calls(), 1, "u1 was not posted after u2")
	again, ok, err := newBroadcaster(t, s, x.channel()).SentTime(ctx, "u1")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, sent.Equal(again), "the first Send's Time: %v, then %v", sent, again)
}

func checkDoneUnreadable(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	fs := newFaulty(s)
	ft := fs.fail(2, on("Done", "x", ""))
	x := &poster{name: "x"}
	rep, err := newBroadcaster(t, fs, x.channel()).Send(ctx, update(1))
	require.NoError(t, err, "delivered once the Store reads again")
	assert.Equal(t, 2, fs.failures(ft), "the first two reads of Done failed")
	assert.Len(t, x.calls(), 1, "called once, after Done could be read")
	assert.Equal(t, 3, rep.Results[0].Attempts, "each failed read is a failed attempt")
	assertDone(t, s, "u1", "x", "", true, "")

	fs.fail(-1, on("Done", "y", ""))
	y := &poster{name: "y"}
	rep, err = newBroadcaster(t, fs, y.channel()).Send(ctx, update(1))
	require.Error(t, err, "a Store that never reads fails the Send")
	assert.ErrorIs(t, err, errInjected, "the error is the Store's")
	assert.Empty(t, y.calls(), "never called blind")
	assert.Equal(t, fast.MaxAttempts, rep.Results[0].Attempts)
}

func checkTargetUnreadable(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	fs := newFaulty(s)
	ft := fs.fail(1, on("Done", "email", "bob@example.com"))
	f := newFan("email", "ada@example.com", "bob@example.com", "eve@example.com")
	rep, err := newBroadcaster(t, fs, f.channel()).Send(ctx, update(1))
	require.NoError(t, err, "bob is delivered once the Store reads")
	assert.Equal(t, 1, fs.failures(ft), "the first read of bob's mark failed")
	assert.Equal(t, map[string]int{"ada@example.com": 1, "bob@example.com": 1, "eve@example.com": 1}, f.sends(),
		"bob was not sent to blind, and nobody twice")
	assert.Equal(t, 2, rep.Results[0].Attempts, "the failed read made the first attempt transient")
	assert.ElementsMatch(t, f.targets, rep.Results[0].Delivered)
	for _, target := range append(f.targets, "") {
		assertDone(t, s, "u1", "email", target, true, "")
	}

	fs.fail(-1, on("Done", "webhook", "https://b.example"))
	w := newFan("webhook", "https://a.example", "https://b.example")
	_, err = newBroadcaster(t, fs, w.channel()).Send(ctx, update(1))
	require.Error(t, err, "a target whose mark never reads fails the Send")
	assert.ErrorIs(t, err, errInjected, "the error is the Store's")
	assert.Equal(t, map[string]int{"https://a.example": 1, "https://b.example": 0}, w.sends())
	assertDone(t, s, "u1", "webhook", "", false, "")
}

func checkThreadUnreadable(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	fs := newFaulty(s)
	x := &poster{name: "x"}
	b := newBroadcaster(t, fs, x.channel())
	rep, err := b.Send(ctx, update(1))
	require.NoError(t, err)
	first := rep.Results[0].Receipt

	ft := fs.fail(2, on("Thread", "x", ""))
	rep, err = b.Send(ctx, update(2))
	require.NoError(t, err, "delivered once the Store reads again")
	assert.Equal(t, 2, fs.failures(ft), "the first two reads of Thread failed")
	assert.Equal(t, 3, rep.Results[0].Attempts, "each failed read is a failed attempt")
	msgs := x.calls()
	require.Len(t, msgs, 2, "called once for each update")
	assertReceipt(t, first, msgs[1].Thread.Root)
	assertReceipt(t, first, msgs[1].Thread.Last)
}

func checkReceiptUnreadable(t *testing.T, s broadcast.Store) {
	for _, op := range []string{"Correct", "Retract"} {
		t.Run(op, func(t *testing.T) {
			ctx := context.Background()
			fs := newFaulty(s)
			p := &poster{name: "blog-" + op}
			b := newBroadcaster(t, fs, p)
			rep, err := b.Send(ctx, update(1))
			require.NoError(t, err)
			post := rep.Results[0].Receipt

			ft := fs.fail(2, func(c call) bool { return c.method == "Receipt" && c.channel == p.name && c.id == "u1" })
			if op == "Correct" {
				rep, err = b.Correct(ctx, "u1", update(2))
			} else {
				rep, err = b.Retract(ctx, "u1")
			}
			require.NoError(t, err, "changed once the Store reads again")
			assert.Equal(t, 2, fs.failures(ft), "the first two reads of the receipt failed")
			// Each failed read of an attempt is a failed attempt; Retract's
			// first read is its check that some channel posted u1.
			attempts := 3
			if op == "Retract" {
				attempts = 2
			}
			assert.Equal(t, attempts, rep.Results[0].Attempts, "each failed read of an attempt fails it")
			assert.Len(t, p.calls(), 1, "never posted anew")
			edited, retracted := p.changes()
			changed := map[string][]broadcast.Receipt{"Correct": edited, "Retract": retracted}[op]
			require.Len(t, changed, 1, "the post was changed once")
			assertReceipt(t, post, changed[0])

			if op == "Retract" {
				rep, err = b.Retract(ctx, "u1")
				require.NoError(t, err)
				assert.True(t, rep.Results[0].Skipped, "the Store marked the first Retract done")
				_, retracted = p.changes()
				assert.Len(t, retracted, 1, "a post is deleted once")
			}
		})
	}
}

func checkDeliveryNotRecorded(t *testing.T, s broadcast.Store) {
	for _, method := range []string{"Mark", "SaveReceipt"} {
		t.Run(method, func(t *testing.T) {
			fs := newFaulty(s)
			x := &poster{name: "x-" + method}
			ft := fs.fail(-1, on(method, x.name, ""))
			rep, err := newBroadcaster(t, fs, x.channel()).Send(context.Background(), update(1))
			require.ErrorIs(t, err, broadcast.ErrNotRecorded)
			assert.ErrorIs(t, err, errInjected, "the error is the Store's")
			assert.Equal(t, 1, fs.failures(ft), "one write failed")
			assert.Len(t, x.calls(), 1, "not called again")
			assert.Equal(t, 1, rep.Results[0].Attempts)
			assert.Equal(t, x.name+"-1", rep.Results[0].Receipt.ID, "the Result still has the post")
		})
	}
}

func checkTargetMarkNotRecorded(t *testing.T, s broadcast.Store) {
	fs := newFaulty(s)
	ft := fs.fail(-1, on("Mark", "email", "ada@example.com"))
	f := newFan("email", "ada@example.com", "bob@example.com")
	f.fail["bob@example.com"] = []error{errTryLater}
	rep, err := newBroadcaster(t, fs, f.channel()).Send(context.Background(), update(1))
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.ErrorIs(t, err, errInjected, "the error is the Store's")
	assert.Equal(t, 1, fs.failures(ft), "ada's mark was written once, and failed")
	assert.Equal(t, map[string]int{"ada@example.com": 1, "bob@example.com": 2}, f.sends(),
		"ada was not sent to again when bob was retried")
	assert.Equal(t, answer{done: true}, f.ledger(t, 1)["ada@example.com"],
		"the retry's Ledger knows ada was delivered")
	assert.ElementsMatch(t, f.targets, rep.Results[0].Delivered)
}

func checkEveryWriteFails(t *testing.T, s broadcast.Store) {
	fs := newFaulty(s)
	fs.fail(-1, writes)
	x, f := &poster{name: "x"}, newFan("email", "ada@example.com", "bob@example.com")
	b := newBroadcaster(t, fs, x.channel(), f.channel())
	for n := 1; n <= 3; n++ {
		rep, err := b.Send(context.Background(), update(1))
		require.Error(t, err, "Send %d: a delivery that was not recorded is never a success", n)
		for _, r := range rep.Results {
			assert.ErrorIs(t, r.Err, broadcast.ErrNotRecorded, "Send %d, %s", n, r.Channel)
			assert.Equal(t, 1, r.Attempts, "Send %d, %s: not retried", n, r.Channel)
		}
		assert.Len(t, x.calls(), n, "x: delivered once per Send")
		assert.Equal(t, map[string]int{"ada@example.com": n, "bob@example.com": n}, f.sends(),
			"email: each target delivered once per Send")
	}
}

func checkTargetFailureReasonKept(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := newFan("email", "ada@example.com", "bad@example.com", "slow@example.com")
	f.fail["bad@example.com"] = []error{errNoUser}
	f.fail["slow@example.com"] = failing(fast.MaxAttempts, errTryLater)
	_, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.Error(t, err, "slow was never reached")
	assertDone(t, s, "u1", "email", "bad@example.com", true, errNoUser.Error())

	b := newBroadcaster(t, s, f.channel())
	jobs, err := b.Jobs(broadcast.JobSend, update(1), "")
	require.NoError(t, err)
	res := b.RunJob(ctx, jobs[0], 2)
	assert.NotErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	sends := f.sends()
	assert.Equal(t, 1, sends["bad@example.com"], "bad was not sent to again by the Job's second run")
	assert.Equal(t, 1, sends["ada@example.com"], "ada was not sent to again")
	assert.Equal(t, fast.MaxAttempts+1, sends["slow@example.com"], "slow was delivered by the Job's second run")
	assert.Equal(t, answer{true, errNoUser.Error()}, f.ledger(t, fast.MaxAttempts)["bad@example.com"],
		"the second run's Ledger gives bad's reason")
	if assert.Len(t, res.Failures, 1) {
		assert.ErrorContains(t, res.Failures[0].Err, errNoUser.Error())
	}
	assertDone(t, s, "u1", "email", "slow@example.com", true, "")

	_, err = newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.NoError(t, err, "bad accepts the update now")
	sends = f.sends()
	assert.Equal(t, 2, sends["bad@example.com"], "a later Send tries bad again")
	assert.Equal(t, 1, sends["ada@example.com"], "ada was not sent to again")
	assert.Equal(t, fast.MaxAttempts+1, sends["slow@example.com"], "slow was not sent to again")
	assertDone(t, s, "u1", "email", "bad@example.com", true, "")
}

// chatFan returns a fan with posts to two rooms, whose second fails every
// attempt of the first Send.
func chatFan() *fan { return namedChatFan("chat") }

// namedChatFan is chatFan with another channel name.
func namedChatFan(name string) *fan {
	f := newFan(name, "!ops", "!eng")
	f.posts = true
	f.fail["!eng"] = failing(fast.MaxAttempts, errTryLater)
	return f
}

// isPostCall matches the calls of method on channel about the post of one
// of f's targets for update: not about update's own receipt, nor about the
// record of a delivery that reached some targets only (keys that name no
// target).
func isPostCall(method string, f *fan, update string) func(call) bool {
	return func(c call) bool {
		return c.method == method && c.channel == f.name && c.id != update &&
			slices.ContainsFunc(f.targets, func(t string) bool { return strings.Contains(c.id, t) })
	}
}

// assertPosts checks that r names the post of every target of f.
func assertPosts(t *testing.T, f *fan, r broadcast.Receipt) {
	t.Helper()
	for _, target := range f.targets {
		assert.Equal(t, "post-"+target, r.Meta["post "+target], "the post of %s", target)
	}
	assert.Equal(t, postOf(f.targets[0]).ID, r.ID, "the first target's post")
	assert.Equal(t, postOf(f.targets[0]).URL, r.URL)
}

func checkPostsKeptAcrossRestart(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := chatFan()
	_, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.Error(t, err, "!eng was never reached")

	rep, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": fast.MaxAttempts + 1}, f.sends(), "!ops once, !eng until delivered")
	assertPosts(t, f, rep.Results[0].Receipt)
	saved, ok, err := s.Receipt(ctx, "u1", "chat")
	require.NoError(t, err)
	require.True(t, ok, "the receipt is saved")
	assertPosts(t, f, saved)
}

func checkPartialDeliveryRetracted(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := chatFan() // !ops is reached, !eng fails on every attempt
	_, err := newBroadcaster(t, s, f.retractor()).Send(ctx, update(1))
	require.Error(t, err, "!eng was never reached")

	rep, err := newBroadcaster(t, s, f.retractor()).Retract(ctx, "u1")
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped, "!ops shows the update")
	retracted := f.retractedPosts()
	require.Len(t, retracted, 1)
	assert.Equal(t, "post-!ops", retracted[0].Meta["post !ops"])
	assert.NotContains(t, retracted[0].Meta, "post !eng")
	assert.Equal(t, "u1", retracted[0].UpdateID)

	f.mu.Lock()
	f.fail = map[string][]error{} // !eng is back
	f.mu.Unlock()
	rep, err = newBroadcaster(t, s, f.retractor()).Send(ctx, update(1))
	require.Error(t, err, "the update was retracted")
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "not to be retried: %v", rep.Results[0].Err)
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": fast.MaxAttempts}, f.sends(), "neither target got it again")
}

func checkCorrectAfterPartialRetract(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := newFan("chat", "!ops", "!eng")
	f.posts = true
	f.undeletable = map[string]error{"!eng": broadcast.Permanent(errors.New("403 Forbidden"))}
	_, err := newBroadcaster(t, s, f.retractor()).Send(ctx, update(1))
	require.NoError(t, err)
	_, err = newBroadcaster(t, s, f.retractor()).Retract(ctx, "u1")
	require.Error(t, err, "!eng kept the post")

	fix := update(1)
	fix.ID, fix.Body = "u1-fix", "Update 1, corrected."
	rep, err := newBroadcaster(t, s, f.retractor()).Correct(ctx, "u1", fix)
	require.Error(t, err, "!ops refuses the correction")
	results := []broadcast.Result{rep.Results[0]}
	fix2 := fix
	fix2.ID, fix2.Body = "u1-fix2", "Update 1, corrected again."
	b := newBroadcaster(t, s, f.retractor())
	jobs, err := b.Jobs(broadcast.JobCorrect, fix2, "u1-fix")
	require.NoError(t, err)
	results = append(results, b.RunJob(ctx, jobs[0], 1))
	for i, res := range results {
		assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, "correction %d", i+1)
		assert.True(t, broadcast.IsPermanent(res.Err), "correction %d: not to be retried: %v", i+1, res.Err)
		require.Len(t, res.Failures, 1, "correction %d", i+1)
		assert.Equal(t, "!ops", res.Failures[0].Target, "correction %d", i+1)
		assert.ErrorIs(t, res.Failures[0].Err, broadcast.ErrRetracted, "correction %d", i+1)
		assert.Equal(t, []string{"!eng"}, res.Delivered, "correction %d", i+1)
	}
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": 3}, f.sends(), "!ops got the update only, !eng both corrections too")
}

func checkPostNotRecorded(t *testing.T, s broadcast.Store) {
	f := newFan("chat", "!ops", "!eng")
	f.posts = true
	f.fail["!eng"] = []error{errTryLater}
	fs := newFaulty(s)
	ft := fs.fail(-1, isPostCall("SaveReceipt", f, "u1"))
	rep, err := newBroadcaster(t, fs, f.channel()).Send(context.Background(), update(1))
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.ErrorIs(t, err, errInjected, "the error is the Store's")
	assert.Equal(t, 2, fs.failures(ft), "each post's save was tried once, and failed")
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": 2}, f.sends(), "!ops was not sent to again when !eng was retried")
	assertPosts(t, f, rep.Results[0].Receipt)
}

func checkPostUnreadable(t *testing.T, s broadcast.Store) {
	ctx := context.Background()
	f := chatFan()
	_, err := newBroadcaster(t, s, f.channel()).Send(ctx, update(1))
	require.Error(t, err, "!eng was never reached")

	fs := newFaulty(s)
	ft := fs.fail(-1, isPostCall("Receipt", f, "u1"))
	rep, err := newBroadcaster(t, fs, f.channel()).Send(ctx, update(1))
	require.ErrorIs(t, err, broadcast.ErrNotRecorded, "the receipt lacks !ops's post")
	assert.ErrorIs(t, err, errInjected, "the error is the Store's")
	assert.Equal(t, 1, fs.failures(ft), "!ops's post was read once")
	assert.Equal(t, 1, rep.Results[0].Attempts, "not retried: every room has the update")
	assert.Equal(t, map[string]int{"!ops": 1, "!eng": fast.MaxAttempts + 1}, f.sends(), "no target twice")
	r := rep.Results[0].Receipt
	assert.Equal(t, "post-!eng", r.Meta["post !eng"], "the post that could be read")
	assert.NotContains(t, r.Meta, "post !ops")
	saved, ok, err := s.Receipt(ctx, "u1", "chat")
	require.NoError(t, err)
	require.True(t, ok, "the receipt is saved")
	assert.Equal(t, r.Meta, saved.Meta)
	assertDone(t, s, "u1", "chat", "", true, "")

	// Read once in vain while !eng fails again, then read in the retry
	// that delivers !eng.
	g := namedChatFan("room")
	_, err = newBroadcaster(t, s, g.channel()).Send(ctx, update(1))
	require.Error(t, err, "!eng was never reached")
	g.fail["!eng"] = failing(fast.MaxAttempts+1, errTryLater)
	fs = newFaulty(s)
	ft = fs.fail(1, isPostCall("Receipt", g, "u1"))
	rep, err = newBroadcaster(t, fs, g.channel()).Send(ctx, update(1))
	require.NoError(t, err, "the post was read in the end")
	assert.Equal(t, 1, fs.failures(ft))
	assert.Equal(t, 2, rep.Results[0].Attempts)
	assertPosts(t, g, rep.Results[0].Receipt)
}
