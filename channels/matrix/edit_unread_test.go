package matrix

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction right after the post it edits finds the post not readable
// yet: Dendrite answers a send once its room server has the event, and
// serves GET /event only once its sync API has applied it, moments later
// (2 of 40 edits right after their post, against Dendrite v0.13.8). Its
// 404 M_NOT_FOUND then fails the room for now, so that the edit is tried
// again, rather than as a post gone, which would have the correction
// posted anew beside the post it corrects; for a post older than
// recentPost, a 404 still says it is gone.
func TestEditOfPostNotReadableYet(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	f.mu.Lock()
	f.unread = map[string]bool{}
	for _, target := range confTargets {
		f.unread[r.Meta[target]] = true
	}
	f.mu.Unlock()

	fix := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "fix"))
	_, err = ch.Edit(ctx, fix, r)
	require.Error(t, err)
	assert.False(t, errors.Is(err, broadcast.ErrPostGone), "not gone: %v", err)
	assert.False(t, broadcast.IsPermanent(err), "tried again: %v", err)
	assert.Contains(t, err.Error(), "not readable yet")

	old := r
	old.Time = r.Time.Add(-recentPost - time.Second)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "fix")), old)
	assert.True(t, errors.Is(err, broadcast.ErrPostGone), "an older post is gone: %v", err)

	f.mu.Lock()
	f.unread = nil
	f.mu.Unlock()
	fix.Attempt = 2
	_, err = ch.Edit(ctx, fix, r)
	require.NoError(t, err, "readable now: edited")
}
