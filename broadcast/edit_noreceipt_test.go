package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// bareEditor is an Editor and Retractor whose Edit answers with an empty
// Receipt, as an adapter may for a platform that answers an edit with no
// body (204 No Content). It keeps the posts still up, and what each shows.
type bareEditor struct {
	mu   sync.Mutex
	n    int
	live map[string]string // post ID: the update it shows
}

func (e *bareEditor) Name() string { return "chat" }

func (e *bareEditor) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	id := fmt.Sprintf("post-%d", e.n)
	e.live[id] = m.Update.ID
	return broadcast.Receipt{ID: id}, nil
}

func (e *bareEditor) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.live[prev.ID]; !ok {
		return broadcast.Receipt{}, broadcast.ErrPostGone
	}
	e.live[prev.ID] = m.Update.ID
	return broadcast.Receipt{}, nil
}

func (e *bareEditor) Retract(_ context.Context, prev broadcast.Receipt) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.live, prev.ID) // a post already gone counts as deleted
	return nil
}

func (e *bareEditor) up() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	up := map[string]string{}
	for k, v := range e.live {
		up[k] = v
	}
	return up
}

// An Edit that succeeds with a Receipt naming no post edited the post it
// was given: the correction's receipt names that post, so that a Correct
// of the correction edits it again and a Retract of the correction deletes
// it. (Before, the correction was kept with an empty receipt: a Correct of
// it posted anew, and its Retract reported success, deleting nothing, with
// the corrected post still up.)
func TestEditWithoutReceiptKeepsThePost(t *testing.T) {
	chat := &bareEditor{live: map[string]string{}}
	b := newBroadcaster(t, broadcast.Options{}, chat)
	ctx := context.Background()
	u := validUpdate()
	u.ID, u.IncidentID = "wrong", "cdn"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	fix := u
	fix.ID, fix.Body = "fix-1", "We are investigating elevated error rates on the CDN in Europe."
	rep, err := b.Correct(ctx, "wrong", fix)
	require.NoError(t, err)
	require.True(t, rep.Results[0].Edited)
	assert.Equal(t, "post-1", rep.Results[0].Receipt.ID, "the Report names the post edited")

	fix2 := u
	fix2.ID, fix2.Body = "fix-2", "We are investigating elevated error rates on the CDN in Asia."
	rep, err = b.Correct(ctx, "fix-1", fix2)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Edited, "the correction's post is edited again, not posted anew")
	assert.Equal(t, map[string]string{"post-1": "fix-2"}, chat.up())

	_, err = b.Retract(ctx, "fix-2")
	require.NoError(t, err)
	assert.Empty(t, chat.up(), "the retraction deletes the post the corrections edited")
}
