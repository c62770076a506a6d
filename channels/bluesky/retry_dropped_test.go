package bluesky

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A retry after a lost answer finds the post of the earlier attempt: its
// Receipt says what that post replies to, not what the retry would have
// replied to. Here the earlier attempt replied to the latest post, which
// was deleted before the retry: the post found still replies to it, and
// no reply was dropped.
func TestRetryReceiptSaysWhatTheFoundPostRepliesTo(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	send := func(i int, th broadcast.Thread) broadcast.Receipt { return sendNumbered(t, ch, i, th) }
	first := send(0, broadcast.Thread{})
	second := send(1, broadcast.Thread{Root: first, Last: first})

	m := numbered(2, broadcast.Thread{Root: first, Last: second})
	f.set(func(f *fakePDS) { f.loseNext = true })
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "the answer was lost")
	require.NoError(t, ch.Retract(context.Background(), second)) // deleted in the app meanwhile

	m.Attempt = 2
	third, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	require.Len(t, f.received("com.atproto.repo.createRecord"), 4, "the retry found the post of the first attempt")
	assert.Empty(t, third.Meta["reply_dropped"], "the post found replies to the latest post")
	assert.Equal(t, first.Meta["uri"], third.Meta["root_uri"])
}

// The other way round: the earlier attempt dropped the reply (the latest
// post was gone), and the retry cannot tell (its read fails): the
// Receipt still names the post the one found does not reply to.
func TestRetryReceiptNamesTheReplyTheFoundPostDropped(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), numbered(0, broadcast.Thread{}))
	require.NoError(t, err)
	second, err := ch.Send(context.Background(), numbered(1, broadcast.Thread{Root: first, Last: first}))
	require.NoError(t, err)
	require.NoError(t, ch.Retract(context.Background(), second))

	m := numbered(2, broadcast.Thread{Root: first, Last: second})
	f.set(func(f *fakePDS) { f.loseNext = true })
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err, "the answer was lost")

	// The next reads of the latest post fail for now; the read back of
	// the record key is answered.
	rkey := recordKey(m)
	f.set(func(f *fakePDS) {
		f.readFailureUnless = rkey
		f.readFailure = &xrpcAnswer{status: http.StatusBadGateway, name: "UpstreamFailure", message: "Upstream Failure"}
	})
	m.Attempt = 2
	third, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, second.Meta["uri"], third.Meta["reply_dropped"], "the post found replies to the first post, not the latest")
	assert.Equal(t, first.Meta["uri"], third.Meta["root_uri"])
}

// numbered is the i-th update of the test incident, in thread th.
func numbered(i int, th broadcast.Thread) broadcast.Message {
	u := testUpdate()
	u.ID, u.Body = "", u.Body+" "+string(rune('A'+i))
	u.Time = fixedNow.Add(time.Duration(i) * time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = th
	return m
}

// sendNumbered sends the i-th update of the test incident, in thread th,
// through ch, and returns its receipt.
func sendNumbered(t *testing.T, ch *Channel, i int, th broadcast.Thread) broadcast.Receipt {
	t.Helper()
	r, err := ch.Send(context.Background(), numbered(i, th))
	require.NoError(t, err)
	return r
}
