package twitter

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

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
