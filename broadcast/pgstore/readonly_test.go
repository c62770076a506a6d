//go:build integration

package pgstore_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A Store whose sessions are read-only (a standby, a reader endpoint, a
// managed server that went read-only when its disk filled) reads, and
// fails every write with the server's reason: a delivery it cannot
// record is never reported recorded, and Prune removes nothing.
func TestReadOnlySessionFailsWritesWithTheReason(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	require.NoError(t, pgstore.Migrate(ctx, connect(t, dsn)))
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("default_transaction_read_only", "on") // pgx sends it as a run-time parameter
	u.RawQuery = q.Encode()
	s, err := pgstore.New(ctx, connect(t, u.String()))
	require.NoError(t, err, "the schema can be read")

	done, _, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.False(t, done)
	err = s.Mark(ctx, "u1", "x", "", nil)
	require.Error(t, err)
	assert.ErrorContains(t, err, "pgstore: mark: ")
	assert.ErrorContains(t, err, "read-only")
	err = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "1"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "read-only")
	n, err := s.Prune(ctx, time.Now())
	require.Error(t, err)
	assert.Zero(t, n)
	assert.ErrorContains(t, err, "read-only")
	require.NoError(t, pgstore.Migrate(ctx, s.Pool()), "a migrated database: Migrate only reads")
}

// The server's answer to a wrong password names the user, never the
// password, in a URL and in key=value pairs.
func TestWrongPasswordIsNotShown(t *testing.T) {
	const password = "Wr0ng-Pa55word-e1f9"
	u, err := url.Parse(baseDSN(t))
	require.NoError(t, err)
	user := "outagecast_nobody"
	u.User = url.UserPassword(user, password)
	q := u.Query()
	q.Set("connect_timeout", "5")
	u.RawQuery = q.Encode()
	kv := "host=" + u.Hostname() + " port=" + u.Port() + " dbname=" + strings.TrimPrefix(u.Path, "/") +
		" user=" + user + " password=" + password + " connect_timeout=5"
	if mode := q.Get("sslmode"); mode != "" {
		kv += " sslmode=" + mode
	}
	for _, dsn := range []string{u.String(), kv} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), password)
		assert.ErrorContains(t, err, "pgstore: connect: ")
	}
}
