package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// partlyStores returns the Stores the partly-retracted tests run on, by
// name, each opened afresh for t (closed at its end).
func partlyStores() map[string]func(t *testing.T) broadcast.Store {
	return map[string]func(t *testing.T) broadcast.Store{
		"memory": func(*testing.T) broadcast.Store { return broadcast.NewMemoryStore() },
		"bolt": func(t *testing.T) broadcast.Store {
			s, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
}

// usKeepsPosts returns a channel posting in three regions whose post
// cannot be deleted in "us" (a permanent 403 there).
func usKeepsPosts() *regions {
	return &regions{name: "chat", regions: []string{"eu", "us", "ap"},
		undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}
}

// sendAndRetractPartly sends update "wrong" of incident "inc" through b
// and retracts it, b's channel being usKeepsPosts': the post is deleted
// on eu and ap and kept on us. It returns the update.
func sendAndRetractPartly(ctx context.Context, t *testing.T, b *broadcast.Broadcaster) broadcast.Update {
	t.Helper()
	u := validUpdate()
	u.ID, u.IncidentID = "wrong", "inc"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "wrong")
	require.Error(t, err, "us kept the post")
	return u
}

// refusedTargets returns the targets of res's failures, each of which
// must wrap ErrRetracted.
func refusedTargets(t *testing.T, res broadcast.Result) []string {
	t.Helper()
	var refused []string
	for _, f := range res.Failures {
		assert.ErrorIs(t, f.Err, broadcast.ErrRetracted, f.Target)
		refused = append(refused, f.Target)
	}
	return refused
}

// A Retract that deleted the post on some targets and, tried again
// later, on the rest leaves the update retracted everywhere: a Correct
// after that posts nothing anywhere, and fails with ErrRetracted, with
// or without a Correct that edited the rest in between.
func TestCorrectAfterRetractCompletedLaterPostsNowhere(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, between := range []bool{false, true} {
			for _, editor := range []bool{true, false} {
				name := storeName + "/" + map[bool]string{false: "retract-again", true: "correct-between"}[between] +
					"/" + map[bool]string{true: "editor", false: "thread"}[editor]
				t.Run(name, func(t *testing.T) {
					ctx := context.Background()
					g := &goneRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"},
						undeletable: map[string]error{"us": errors.New("503 Service Unavailable")}}}
					var ch broadcast.Channel = &g.regions
					if editor {
						ch = g
					}
					b := newBroadcaster(t, broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
					u := validUpdate()
					u.ID, u.IncidentID = "wrong", "inc"
					_, err := b.Send(ctx, u)
					require.NoError(t, err)
					_, err = b.Retract(ctx, "wrong")
					require.Error(t, err, "us kept the post")
					if between {
						fix := u
						fix.ID, fix.Body = "fix", "Corrected."
						rep, _ := b.Correct(ctx, "wrong", fix)
						assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, rep.Results[0]))
					}
					g.mu.Lock()
					g.undeletable = nil
					g.mu.Unlock()
					_, err = b.Retract(ctx, "wrong")
					require.NoError(t, err, "us deleted it now")

					fix2 := u
					fix2.ID, fix2.Body = "fix2", "Corrected again."
					rep, err := b.Correct(ctx, "wrong", fix2)
					require.Error(t, err)
					res := rep.Results[0]
					assert.ErrorIs(t, res.Err, broadcast.ErrRetracted)
					assert.Empty(t, res.Delivered)
					assert.False(t, res.Edited)
					for _, r := range []string{"eu", "us", "ap"} {
						assert.NotContains(t, g.postedTo(r), "fix2", r)
					}
				})
			}
		}
	}
}

// A Retract that deleted the post on eu only, then a Correct that edited
// it on us and ap (refused on eu), then the Retract again, which deletes
// it on ap only: a Correct after that is refused on eu and ap, and edits
// us alone.
func TestCorrectAfterRetractDeletedMoreAfterAnEdit(t *testing.T) {
	for storeName, open := range partlyStores() {
		t.Run(storeName, func(t *testing.T) {
			ctx := context.Background()
			g := &goneRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"},
				undeletable: map[string]error{
					"us": broadcast.Permanent(errors.New("403 Forbidden")),
					"ap": errors.New("503 Service Unavailable"),
				}}}
			b := newBroadcaster(t, broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, g)
			u := validUpdate()
			u.ID, u.IncidentID = "wrong", "inc"
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
			_, err = b.Retract(ctx, "wrong")
			require.Error(t, err)
			fix := u
			fix.ID, fix.Body = "fix", "Corrected."
			rep, _ := b.Correct(ctx, "wrong", fix)
			assert.Equal(t, []string{"eu"}, refusedTargets(t, rep.Results[0]))
			assert.True(t, rep.Results[0].Edited)

			g.mu.Lock()
			delete(g.undeletable, "ap")
			g.mu.Unlock()
			_, err = b.Retract(ctx, "wrong")
			require.Error(t, err, "us still kept it")

			for _, c := range []struct{ original, id string }{{"wrong", "fix2"}, {"fix", "fix3"}} {
				next := u
				next.ID, next.Body = c.id, "Corrected again."
				rep, _ = b.Correct(ctx, c.original, next)
				res := rep.Results[0]
				assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, c.id)
				assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, res), c.id)
				assert.True(t, res.Edited, c.id)
				for _, r := range []string{"eu", "ap"} {
					assert.Equal(t, []string{"wrong"}, g.postedTo(r), "%s: %s", c.id, r)
				}
			}
		})
	}
}
