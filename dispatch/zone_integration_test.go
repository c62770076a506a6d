//go:build integration

package dispatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// timed is a channel that keeps the Update of each Message it delivers.
type timed struct {
	mu      sync.Mutex
	updates []broadcast.Update
}

func (c *timed) Name() string { return "timed" }

func (c *timed) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.updates = append(c.updates, m.Update)
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *timed) sent() []broadcast.Update {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]broadcast.Update(nil), c.updates...)
}

// An update whose Time and NextUpdate are in a zone whose offset has
// seconds (local mean time, as time.LoadLocation gives before a zone's
// standard time) is delivered at those instants. Its job kept them as
// encoding/json writes RFC 3339, the offset cut to the minute: the
// channel got times 32s off (the update's order among its incident's
// others with it), and the same update enqueued again was refused as one
// whose ID the queue holds with other content (ErrIDInUse), its
// NextUpdate read back 32s off.
func TestEnqueueKeepsTheInstantsOfAnyZone(t *testing.T) {
	ctx := waitCtx(t)
	ch := &timed{}
	in := newInstance(t, newSchema(t), []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{Workers: 1})
	amsterdam := time.FixedZone("AMT", 19*60+32) // Amsterdam's mean time until 1937
	u := update(1)
	u.Time = time.Now().Add(-time.Minute).Round(time.Microsecond).In(amsterdam)
	u.NextUpdate = u.Time.Add(time.Hour)
	id, err := in.d.Enqueue(ctx, nil, u)
	require.NoError(t, err)
	_, err = in.d.Enqueue(ctx, nil, u)
	require.NoError(t, err, "the same update enqueued again queues nothing, without error")

	in.start(t)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	sent := ch.sent()
	require.Len(t, sent, 1)
	assert.True(t, u.Time.Equal(sent[0].Time), "Time: want %v, got %v", u.Time, sent[0].Time)
	assert.True(t, u.NextUpdate.Equal(sent[0].NextUpdate), "NextUpdate: want %v, got %v", u.NextUpdate, sent[0].NextUpdate)
	r, ok, err := in.store.Receipt(ctx, id, "timed")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, u.Time.Equal(r.UpdateTime), "the receipt's UpdateTime: want %v, got %v", u.Time, r.UpdateTime)
}
