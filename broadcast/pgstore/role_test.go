//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// Replicas may run Migrate at every start, the docs say: on a database
// already migrated it only reads. A replica whose role may read and write
// the tables but not create any in the schema (the tables migrated by
// another role, a least-privilege deployment; PostgreSQL 15 and later no
// longer let every role create in public) failed with "permission denied
// for schema": CREATE TABLE IF NOT EXISTS checks the privilege before it
// finds the table there.
func TestMigrateOnAMigratedDatabaseNeedsNoCreatePrivilege(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	admin := connect(t, dsn)
	require.NoError(t, pgstore.Migrate(ctx, admin))
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	schema := u.Query().Get("search_path")
	role := "app_" + strings.ToLower(rand.Text()[:10])
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", schema, role),
		fmt.Sprintf("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s", schema, role),
	} {
		_, err := admin.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, fmt.Sprintf("DROP OWNED BY %s", role))
		_, _ = admin.Exec(ctx, "DROP ROLE "+role)
	})
	u.User = url.User(role)
	app := connect(t, u.String())
	require.NoError(t, pgstore.Migrate(ctx, app), "nothing to do: no privilege needed beyond reading")
	s, err := pgstore.New(ctx, app)
	require.NoError(t, err)
	require.NoError(t, s.Mark(ctx, "u", "x", "", nil))
	done, _, err := s.Done(ctx, "u", "x", "")
	require.NoError(t, err)
	assert.True(t, done)
}
