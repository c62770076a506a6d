//go:build integration

package pgstore_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Broadcaster with more channels than the pool has connections: each
// channel's attempt holds a Lock, which keeps a connection, and then reads
// and writes its marks, which need another. With every connection held by
// a Lock, each holder waited for a connection none would give back, until
// its attempt timed out, and again on every retry: nothing was delivered.
func TestLocksLeaveAConnectionForTheStore(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "2")
	u.RawQuery = q.Encode()
	s := migratedOn(t, u.String())

	var channels []broadcast.Channel
	for i := range 4 {
		channels = append(channels, broadcast.ChannelFunc(fmt.Sprintf("ch%d", i),
			func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }))
	}
	b, err := broadcast.New(channels, broadcast.Options{Store: s, Lock: s.Lock, AttemptTimeout: 5 * time.Second,
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	defer b.Close()
	rep, err := b.Send(ctx, broadcast.Update{ID: "u1", Title: "CDN", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.NoError(t, r.Err, r.Channel)
	}
}

// A pool of one connection cannot hold a Lock and run the Store's calls
// of its holder: Lock says so at once instead of waiting for ever.
func TestLockOnAPoolOfOneConnectionIsAnError(t *testing.T) {
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "1")
	u.RawQuery = q.Encode()
	s := migratedOn(t, u.String())
	_, err = s.Lock(context.Background(), "u1", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pool_max_conns")
}
