package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// versioned is a channel whose platform gives an edited post a new id, as X
// does: the old id names a version that is no longer the post's current
// one. It records the reply of each Send and the post each Edit names.
type versioned struct {
	mu      sync.Mutex
	n       int
	replies []string // Thread.Last.ID of each Send
	edited  []string // prev.ID of each Edit
}

func (v *versioned) Name() string { return "x" }

func (v *versioned) next() string {
	v.n++
	return fmt.Sprint("v", v.n)
}

func (v *versioned) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.replies = append(v.replies, m.Thread.Last.ID)
	return broadcast.Receipt{ID: v.next()}, nil
}

func (v *versioned) Edit(_ context.Context, _ broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.edited = append(v.edited, prev.ID)
	return broadcast.Receipt{ID: v.next(), Meta: map[string]string{"edit_of": prev.ID}}, nil
}

func (v *versioned) Retract(context.Context, broadcast.Receipt) error { return nil }

// sendStatus sends validUpdate with status and body, which must succeed.
func sendStatus(t *testing.T, b *broadcast.Broadcaster, status broadcast.Status, body string) *broadcast.Report {
	t.Helper()
	u := validUpdate()
	u.Status, u.Body = status, body
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	return rep
}

// correctBody corrects update original with validUpdate and body, which
// must succeed.
func correctBody(t *testing.T, b *broadcast.Broadcaster, original, body string) *broadcast.Report {
	t.Helper()
	u := validUpdate()
	u.Body = body
	rep, err := b.Correct(context.Background(), original, u)
	require.NoError(t, err)
	return rep
}

// An edit that makes the post a new id (X's) leaves no follow-up replying
// to the old version: the incident's next update replies to the new one,
// and a later Correct of the original edits the new one. The thread kept
// the old id, which the next update replied to, and a second Correct of
// the original asked to edit a version that was no longer current.
func TestEditWithNewIDMovesThread(t *testing.T) {
	ch := &versioned{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	corr := correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	require.True(t, corr.Results[0].Edited)
	require.Equal(t, "v2", corr.Results[0].Receipt.ID)
	sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")
	correctBody(t, b, first.UpdateID, "Fixed again: the US region.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"", "v2"}, ch.replies, "the next update replies to the post's current version")
	assert.Equal(t, []string{"v1", "v2"}, ch.edited, "a second correction of the original edits its current version")
}

// A post edited into a new id that is not the incident's latest leaves
// the thread alone: the next update still replies to the latest post.
func TestEditWithNewIDKeepsLaterLast(t *testing.T) {
	ch := &versioned{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")
	correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	sendStatus(t, b, broadcast.StatusMonitoring, "Rolled back.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"", "v1", "v2"}, ch.replies, "the third update replies to the second")
}

// A post edited into a new id that is not the incident's latest is still
// the post of the update it was: a second Correct of that update edits the
// new version (X edits only the latest), not the old one, which X refuses;
// the thread's latest stays the later update's. The update's receipt kept
// the old id before.
func TestEditWithNewIDNotLastMovesReceipt(t *testing.T) {
	ch := &versioned{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")
	corr := correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	require.Equal(t, "v3", corr.Results[0].Receipt.ID)
	correctBody(t, b, first.UpdateID, "Fixed again: the US region.")
	sendStatus(t, b, broadcast.StatusMonitoring, "Rolled back.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"v1", "v3"}, ch.edited, "the second correction edits the current version")
	assert.Equal(t, []string{"", "v1", "v2"}, ch.replies, "the thread's latest stays the second update's")
}

// A correction edited in place into a new id, corrected again, names the
// new version too: a third Correct, of that correction, edits the current
// version. Its receipt kept the version it made before.
func TestEditWithNewIDMovesCorrectionReceipt(t *testing.T) {
	ch := &versioned{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	corr := correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	for _, body := range []string{"Fixed again: the US region.", "Fixed once more: both regions."} {
		correctBody(t, b, corr.UpdateID, body)
	}

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"v1", "v2", "v3"}, ch.edited, "each correction edits the current version")
}

// The versions an edit gave ids of their own are one post: X deletes them
// all whichever one is deleted. A retraction of a correction whose receipt
// names an older version leaves neither the original, nor a later
// correction, nor the thread's first post taken for up. Only the version
// the retraction named was marked retracted before: a Correct of the
// original then edited a deleted post, and the next update replied to it.
func TestRetractOldVersionRetractsEveryVersion(t *testing.T) {
	ctx := context.Background()
	ch := &versioned{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	c1 := correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	c2 := correctBody(t, b, first.UpdateID, "Fixed again: the US region.")
	require.Equal(t, "v3", c2.Results[0].Receipt.ID)

	rep, err := b.Retract(ctx, c1.UpdateID)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)

	for _, id := range []string{first.UpdateID, c1.UpdateID, c2.UpdateID} {
		on, err := b.RetractedOn(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, []string{"x"}, on, "update %s's post is gone", id)
	}
	u := validUpdate()
	u.Body = "Fixed once more."
	_, err = b.Correct(ctx, first.UpdateID, u)
	require.ErrorIs(t, err, broadcast.ErrRetracted, "there is no post left to correct")
	sendStatus(t, b, broadcast.StatusMonitoring, "Rolled back.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"v1", "v2"}, ch.edited, "nothing edits a deleted version")
	assert.Equal(t, []string{"", ""}, ch.replies, "the next update starts a new thread")
}

// The links between a post's versions outlive a Prune as long as the
// receipts naming them do: the first correction's link is saved again
// with the second's. A Prune between two corrections of an update used to
// remove the link to the first version (saved once, with no mark to keep
// it), while the thread, kept by the update's marks, still had that version
// as its first post: a retraction of the second correction then left the
// first version taken for up, and the next update replied to the deleted
// post.
func TestPruneKeepsVersionLinksOfKeptPosts(t *testing.T) {
	ctx := context.Background()
	ch := &versioned{}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	cutoff := pastCutoff()
	c2 := correctBody(t, b, first.UpdateID, "Fixed again: the US region.")
	require.Equal(t, "v3", c2.Results[0].Receipt.ID)
	_, err := store.Prune(ctx, cutoff)
	require.NoError(t, err)

	rep, err := b.Retract(ctx, c2.UpdateID)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"", ""}, ch.replies, "the next update starts a new thread: every version is deleted")
}

// pastCutoff returns the time now, as a Prune's cutoff, once the clock
// has moved past it: what is written after is newer.
func pastCutoff() time.Time {
	cutoff := time.Now()
	for !time.Now().After(cutoff) {
	}
	return cutoff
}
