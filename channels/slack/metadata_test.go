package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A token Slack refuses message metadata from
// (metadata_must_be_sent_from_app, nothing posted) still posts every
// update, without the metadata, once in each conversation: the key only
// helps a retry's look-up.
func TestPostsWithoutMetadataWhenSlackRefusesIt(t *testing.T) {
	targets := []string{"#ops", "eng"}
	ch, f := newTestChannel(t, Config{Channels: targets})
	f.refuseMetadata(true)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	for _, target := range targets {
		got := byTarget(f.messages(), target)
		require.Len(t, got, 2, "%s: each update once", target)
		assert.Empty(t, got[0].metadata, target)
		assert.Equal(t, got[0].ts, got[1].threadTS, "%s: the second update replies in the thread", target)
	}
}

// An edit Slack refuses for its metadata is made without it.
func TestEditsWithoutMetadataWhenSlackRefusesIt(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u1 := update(1, broadcast.StatusInvestigating)
	r1 := send(t, ch, u1, broadcast.Thread{})
	f.refuseMetadata(true)
	_, err := ch.Edit(context.Background(), correction(u1, broadcast.StatusInvestigating, broadcast.Thread{Root: r1, Last: r1}), r1)
	require.NoError(t, err)
	got := f.messages()
	require.Len(t, got, 1)
	assert.Contains(t, shown(got[0].sections[0]), "Correction: the errors came from one CDN region.")
}

// Slack's refusal of message metadata from the token is remembered: once
// refused, later posts and edits are made without it, one call each, in
// every conversation. Before, every post and every edit was refused
// first, and cost two calls of the workspace's rate limit.
func TestMetadataRefusalIsRemembered(t *testing.T) {
	targets := []string{"#ops", "eng"}
	ch, f := newTestChannel(t, Config{Channels: targets})
	f.refuseMetadata(true)
	u1 := update(1, broadcast.StatusInvestigating)
	r1 := send(t, ch, u1, broadcast.Thread{})
	before := len(f.requests("chat.postMessage"))
	send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	assert.Equal(t, before+len(targets), len(f.requests("chat.postMessage")), "one post a conversation")
	_, err := ch.Edit(context.Background(), correction(u1, broadcast.StatusInvestigating, broadcast.Thread{Root: r1, Last: r1}), r1)
	require.NoError(t, err)
	for _, c := range f.requests("chat.update") {
		assert.True(t, c.body["metadata"] == nil, "an edit without the metadata refused")
	}
}

// Once Slack refused message metadata from the token, no message of the
// channel carries a key for a retry to find: the retry does not read the
// conversation for one (a read the rate limit of an app outside Slack's
// Marketplace, one a minute, leaves the status bar and retractions
// without), and the receipt says why it did not look.
func TestRetryDoesNotLookForKeyWhenMetadataRefused(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	atFakeTime(ch, f)
	f.refuseMetadata(true)
	send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.loseAnswers("C0OPS00001", true)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.loseAnswers("C0OPS00001", false)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Empty(t, f.requests("conversations.history"))
	assert.Empty(t, f.requests("conversations.replies"))
	assert.Contains(t, r.Meta[MetaLookupError+"C0OPS00001"], "metadata")
}
