package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PruneBatch is how many rows one of Prune's statements deletes at most.
const PruneBatch = pruneBatch

// MigrateTo applies the migrations up to version v, as a version of this
// package whose schema was v did.
func MigrateTo(ctx context.Context, pool *pgxpool.Pool, v int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return migrate(ctx, pool, ms[:v])
}

// PruneQuery is Prune's statement on table, whose rows' times are in
// column at.
func PruneQuery(table, at string) string { return pruneQuery(table, at) }
