//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A replica whose Migrate waited for another's reads the schema that one
// left, whatever default_transaction_isolation the server, the database,
// the role or the connection string sets: under repeatable read or
// serializable its transaction's snapshot, taken before the wait, showed
// the schema as it was, and it applied again the migrations the other had
// just applied ("relation "outagecast_marks" already exists", "index
// "outagecast_receipts_incident" does not exist"), failing the replica's
// start.
func TestMigrateAfterAnotherReadsItsSchemaUnderSerializable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := newSchema(t)
	admin := connect(t, dsn)
	require.NoError(t, pgstore.MigrateTo(ctx, admin, pgstore.SchemaVersion-1), "as the release before left it")
	name := "migrate_" + strings.ToLower(rand.Text()[:10])
	withName := func(app, isolation string) string {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		q := u.Query()
		q.Set("application_name", app)
		if isolation != "" {
			q.Set("default_transaction_isolation", isolation)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	first, second := connect(t, withName(name+"_1", "")), connect(t, withName(name+"_2", "serializable"))
	waiting := func(app, query string) {
		t.Helper()
		require.Eventually(t, func() bool {
			var n int
			err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE $2`, app, query).Scan(&n)
			return err == nil && n > 0
		}, 10*time.Second, 10*time.Millisecond, "%s waits for %s", app, query)
	}

	// The first replica's Migrate holds the migrations' lock and waits for
	// a reader of the table it records them in.
	reader, err := admin.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = reader.Rollback(context.Background()) }()
	_, err = reader.Exec(ctx, "LOCK TABLE outagecast_migrations IN ACCESS SHARE MODE")
	require.NoError(t, err)
	done := make(chan error, 2)
	go func() { done <- pgstore.Migrate(ctx, first) }()
	waiting(name+"_1", "LOCK TABLE%")
	// The second waits for the first's lock.
	go func() { done <- pgstore.Migrate(ctx, second) }()
	waiting(name+"_2", "SELECT pg_advisory_xact_lock%")

	require.NoError(t, reader.Rollback(ctx))
	assert.NoError(t, <-done)
	assert.NoError(t, <-done)
	_, err = pgstore.New(ctx, second)
	require.NoError(t, err, "migrated")
}
