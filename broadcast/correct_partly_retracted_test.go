package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// goneRegions is regions whose posts can be edited, region by region,
// through a Fanout, as the adapters that fan out edit: a region where the
// post was deleted answers ErrPostGone, as a platform does.
type goneRegions struct{ regions }

func (c *goneRegions) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	var targets []string
	for _, r := range c.regions.regions {
		if _, ok := prev.Meta["post."+r]; ok {
			targets = append(targets, r)
		}
	}
	f := broadcast.NewFanout(m, targets)
	for _, i := range f.Todo() {
		r := targets[i]
		c.mu.Lock()
		gone := slices.ContainsFunc(c.deleted[r], func(id string) bool { return prev.Meta["post."+r] == id })
		c.mu.Unlock()
		if gone {
			f.Report(i, broadcast.ErrPostGone)
			continue
		}
		f.Report(i, nil)
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return prev, nil
}

// A Correct of an update whose Retract deleted its post on some targets
// of a channel that fans out and failed on others posts the correction
// nowhere the Retract deleted the post: those targets refuse it, with
// ErrRetracted, as a channel where the whole post was retracted does,
// and the others get it. So it is for a correction of that correction
// (the chain starts from the retracted update), for a channel that edits
// in place and one that posts corrections in the thread, on every Store,
// for a Broadcaster started afresh on the same Store, and for a queue's
// JobCorrect. The Broadcaster posted the correction anew (or in the
// thread) where the Retract had deleted the post, re-publishing there
// what the operator retracted.
func TestCorrectAfterPartlyFailedRetractPostsNowhereDeleted(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, editor := range []bool{true, false} {
			for _, restart := range []bool{false, true} {
				for _, jobs := range []bool{false, true} {
					name := storeName + "/" + map[bool]string{true: "editor", false: "thread"}[editor] +
						"/" + map[bool]string{true: "restarted", false: "same"}[restart] +
						"/" + map[bool]string{true: "jobs", false: "correct"}[jobs]
					t.Run(name, func(t *testing.T) {
						correctAfterPartlyFailedRetract(t, open(t), editor, restart, jobs)
					})
				}
			}
		}
	}
}

func correctAfterPartlyFailedRetract(t *testing.T, store broadcast.Store, editor, restart, jobs bool) {
	ctx := context.Background()
	g := &goneRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"},
		undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}}
	var ch broadcast.Channel = &g.regions // posts corrections in the thread
	if editor {
		ch = g
	}
	posted := g.postedTo
	opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	b := newBroadcaster(t, opts, ch)
	u := validUpdate()
	u.ID, u.IncidentID = "wrong", "inc"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "wrong")
	require.Error(t, err, "us kept the post")

	correct := func(original, id string) broadcast.Result {
		t.Helper()
		if restart {
			require.NoError(t, b.Close())
			b = newBroadcaster(t, opts, ch)
		}
		fix := u
		fix.ID, fix.Body = id, "We are investigating elevated error rates on the EU CDN."
		if !jobs {
			rep, _ := b.Correct(ctx, original, fix)
			require.NotNil(t, rep)
			return rep.Results[0]
		}
		js, err := b.Jobs(broadcast.JobCorrect, fix, original)
		require.NoError(t, err)
		return b.RunJob(ctx, js[0], 1)
	}
	for _, c := range []struct{ original, id string }{{"wrong", "fix"}, {"fix", "fix2"}} {
		res := correct(c.original, c.id)
		require.Error(t, res.Err, "%s: eu and ap refuse it", c.id)
		assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, c.id)
		assert.True(t, broadcast.IsPermanent(res.Err), "%s: %v", c.id, res.Err)
		var refused []string
		for _, f := range res.Failures {
			assert.ErrorIs(t, f.Err, broadcast.ErrRetracted, "%s: %s", c.id, f.Target)
			refused = append(refused, f.Target)
		}
		assert.ElementsMatch(t, []string{"eu", "ap"}, refused, c.id)
		assert.Equal(t, []string{"wrong"}, posted("eu"), "%s: nothing posted where the post was deleted", c.id)
		assert.Equal(t, []string{"wrong"}, posted("ap"), "%s: nothing posted where the post was deleted", c.id)
		if editor {
			assert.True(t, res.Edited, "%s: us's post edited", c.id)
			assert.Equal(t, []string{"wrong"}, posted("us"), c.id)
		} else {
			assert.Contains(t, posted("us"), c.id, "%s: us still shows the update, and gets the correction", c.id)
		}
	}
}

// So it is where the Retract was of an in-place correction of the update
// corrected, which shares its post: a Correct of the update (a sibling of
// the correction retracted, not up its chain) refuses the targets where
// the shared post was deleted, on every Store, for a Broadcaster started
// afresh too.
func TestCorrectAfterPartlyRetractedInPlaceCorrection(t *testing.T) {
	for _, restart := range []bool{false, true} {
		for storeName, open := range partlyStores() {
			t.Run(storeName+"/"+map[bool]string{true: "restarted", false: "same"}[restart], func(t *testing.T) {
				ctx := context.Background()
				ch := &goneRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"}}}
				opts := broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
				b := newBroadcaster(t, opts, ch)
				u := validUpdate()
				u.ID, u.IncidentID = "wrong", "inc"
				fix := retractInPlaceCorrectionPartly(t, b, ch, u)
				if restart {
					require.NoError(t, b.Close())
					b = newBroadcaster(t, opts, ch)
				}

				again := fix
				again.ID, again.Body = "fix-again", "We are investigating elevated error rates on the EU and US CDN."
				rep, _ := b.Correct(ctx, "wrong", again)
				res := rep.Results[0]
				require.Error(t, res.Err, "eu and ap refuse it")
				assert.ErrorIs(t, res.Err, broadcast.ErrRetracted)
				assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, res))
				assert.True(t, res.Edited, "us's post edited")
				for _, r := range []string{"eu", "us", "ap"} {
					assert.Equal(t, []string{"wrong"}, ch.postedTo(r), "%s: nothing posted anew", r)
				}
			})
		}
	}
}

// retractInPlaceCorrectionPartly sends u (ID "wrong") on b, corrects it
// in place with "fix", which shares its post, then retracts "fix" with
// ch refusing to delete the post on us: the shared post is deleted on eu
// and ap and kept on us. It returns the correction.
func retractInPlaceCorrectionPartly(t *testing.T, b *broadcast.Broadcaster, ch *goneRegions, u broadcast.Update) broadcast.Update {
	t.Helper()
	ctx := context.Background()
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	fix := u
	fix.ID, fix.Body = "fix", "We are investigating elevated error rates on the EU CDN."
	rep, err := b.Correct(ctx, "wrong", fix)
	require.NoError(t, err)
	require.True(t, rep.Results[0].Edited)
	ch.mu.Lock()
	ch.undeletable = map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}
	ch.mu.Unlock()
	_, err = b.Retract(ctx, "fix")
	require.Error(t, err, "us kept the post")
	return fix
}
