package pgstore

import (
	"context"
	"io/fs"

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

// NewKnowing is New of a version of this package whose SchemaVersion was
// known.
func NewKnowing(ctx context.Context, pool *pgxpool.Pool, known int) (*Store, error) {
	return newKnowing(ctx, pool, known)
}

// CompatibleFrom returns the compatible-from version of each migration in
// the directory migrations of fsys, nil for the shipped ones.
func CompatibleFrom(fsys fs.FS) ([]int, error) {
	if fsys == nil {
		fsys = migrationFiles
	}
	ms, err := parseMigrations(fsys)
	var from []int
	for _, m := range ms {
		from = append(from, m.compatibleFrom)
	}
	return from, err
}

// PruneQuery is the statement of Prune's last step on table, which
// deletes its rows that the steps before did not.
func PruneQuery(table string) string {
	q := ""
	for _, step := range pruneSteps {
		if step.table == table {
			q = step.query()
		}
	}
	return q
}

// ConnectConfig is Connect after the parse.
func ConnectConfig(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	return connect(ctx, cfg)
}

// PruneCutoff is cutoff as Prune's statements take it.
var PruneCutoff = pruneCutoff

// PruneStep is the table and the statement of Prune's step i (from 0).
func PruneStep(i int) (table, query string) {
	return pruneSteps[i].table, pruneSteps[i].query()
}
