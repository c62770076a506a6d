package twitter

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// refusingReplies is X refusing every reply as to a post deleted or not
// visible, and posting what replies to nothing.
func refusingReplies(t *testing.T) *fakeX {
	const gone = `{"detail":"You attempted to reply to a Tweet that is deleted or not visible to you.","type":"about:blank","title":"Forbidden","status":403}`
	f := newFakeX(t, false)
	f.respondWith(func(w http.ResponseWriter, r *http.Request) {
		req, err := decodePost(r)
		require.NoError(t, err)
		if req.Reply != nil {
			answer(403, gone)(w, r)
			return
		}
		answer(201, `{"data":{"id":"8","text":"t"}}`)(w, r)
	})
	return f
}

// The latest post was made a second ago by another instance whose clock
// is 2 s ahead of this one's: its Receipt.Time is "in the future" here.
// X does not show it yet; the reply must be retried, not posted as a new
// thread.
func TestNotYetVisibleWithClockSkew(t *testing.T) {
	f := refusingReplies(t)
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	m := broadcast.NewMessage(testUpdate())
	prev := broadcast.Receipt{Channel: "x", ID: "7", Time: fixedNow.Add(2 * time.Second)}
	m.Thread = broadcast.Thread{Root: prev, Last: prev}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "posted without the reply: a new thread")
	assert.False(t, broadcast.IsPermanent(err))
	assert.Equal(t, 1, f.requestCount())
}

// A Thread.Last without Time (a receipt from elsewhere) whose id is an X
// snowflake saying it was made 2 s ago.
func TestNotYetVisibleAgedBySnowflake(t *testing.T) {
	f := refusingReplies(t)
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	ms := fixedNow.Add(-2*time.Second).UnixMilli() - 1288834974657
	id := strconv.FormatInt(ms<<22, 10)
	m := broadcast.NewMessage(testUpdate())
	prev := broadcast.Receipt{Channel: "x", ID: id}
	m.Thread = broadcast.Thread{Root: prev, Last: prev}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "posted without the reply: a new thread")
}

// One instance whose clock is 30 s ahead of X's posted the latest post a
// second ago (its Receipt.Time, by this same clock, says so); the post's
// snowflake, by X's clock, reads 31 s old here. The reply X refuses must
// be retried, not posted as a new thread, as it was before ids were read.
func TestNotYetVisibleByTheReceiptsClock(t *testing.T) {
	f := refusingReplies(t)
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	xNow := fixedNow.Add(-30 * time.Second) // X's clock
	ms := xNow.Add(-time.Second).UnixMilli() - 1288834974657
	prev := broadcast.Receipt{Channel: "x", ID: strconv.FormatInt(ms<<22, 10), Time: fixedNow.Add(-time.Second)}
	m := broadcast.NewMessage(testUpdate())
	m.Thread = broadcast.Thread{Root: prev, Last: prev}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "posted without the reply: a new thread")
	assert.False(t, broadcast.IsPermanent(err))
}
