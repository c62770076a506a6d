package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/outagecast/outagecast/internal/pghost"
	"github.com/outagecast/outagecast/internal/pgretry"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one versioned step of the schema.
type migration struct {
	version int
	// compatibleFrom is the lowest SchemaVersion of a version of this
	// package that still reads and writes the schema correctly once this
	// migration ran (see compatibleDirective).
	compatibleFrom int
	name           string
	sql            string
}

// compatibleDirective starts the line of a migration's file that says from
// which schema version on the versions of this package remain compatible
// with the schema it leaves: "-- compatible-from: 1" in migration 2, which
// only adds an index, lets the versions whose schema was 1 keep running on
// a database migrated to 2 (a rolling deploy, a rollback). A migration
// without one, or one that changes what the versions before read or write
// (a column changed, renamed or dropped, a constraint they would break), is
// compatible from its own version on only. A migration can only keep or
// raise the version of the one before: it cannot undo its change.
const compatibleDirective = "-- compatible-from:"

// migrations returns the shipped migrations in order.
func migrations() ([]migration, error) { return parseMigrations(migrationFiles) }

// parseMigrations returns the migrations in fsys's directory migrations,
// in order. Files are named NNNN_what.sql; their numbers run from 1
// without gaps.
func parseMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	// lowest is the compatibleFrom of the migration before.
	lowest := 1
	for i, name := range names { // fs.Glob sorts
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("pgstore: migration %s: not numbered %04d", base, i+1)
		}
		sql, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		from, err := compatibleFrom(string(sql), v)
		if err != nil {
			return nil, fmt.Errorf("pgstore: migration %s: %w", base, err)
		}
		if from < lowest || from > v {
			return nil, fmt.Errorf("pgstore: migration %s: %s %d: not from %d to %d",
				base, compatibleDirective, from, lowest, v)
		}
		lowest = from
		ms = append(ms, migration{version: v, compatibleFrom: from, name: base, sql: string(sql)})
	}
	return ms, nil
}

// compatibleFrom reads the compatibleDirective of the migration to version
// v whose text is sql: v when it has none.
func compatibleFrom(sql string, v int) (int, error) {
	for line := range strings.Lines(sql) {
		if rest, ok := strings.CutPrefix(line, compatibleDirective); ok {
			from, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				return 0, fmt.Errorf("%s %q: not a number", compatibleDirective, strings.TrimSpace(rest))
			}
			return from, nil
		}
	}
	return v, nil
}

// SchemaVersion is the version of the schema this package reads and writes:
// the number of its last migration. New also accepts a newer schema whose
// migrations since this version were all compatible with it.
const SchemaVersion = 5

// migrateLockKey serializes concurrent Migrate calls (two replicas starting
// at once) with a transaction-level advisory lock.
const migrateLockKey = 0x6f75746167656d31 // "outagem1"

// Migrate brings the database's schema to SchemaVersion, applying the
// migrations it lacks in one transaction, and records each one in
// outagecast_migrations with the lowest schema version whose versions of
// this package remain compatible with it. It is safe to run from several
// processes at once (its transaction is read committed, whatever
// default_transaction_isolation says) and does nothing on a database already at
// SchemaVersion, or at a newer version still compatible with this one: it
// then only reads, taking no lock that waits for the tables' readers, so
// running it at every start is cheap. It fails with ErrSchemaNewer on a database migrated by a newer version of
// this package that is not, and with ErrReadOnly on a read-only server (a
// standby) whose database it would change. It waits for another Migrate
// under way for as long as ctx allows: the server's lock_timeout,
// statement_timeout, idle_in_transaction_session_timeout and
// transaction_timeout (PostgreSQL 17 on) do not apply to it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("pgstore: Migrate: pool: missing")
	}
	if ctx == nil {
		return fmt.Errorf("pgstore: Migrate: %w", errNilContext)
	}
	if err := pghost.Check(pool.Config().ConnConfig); err != nil {
		return fmt.Errorf("pgstore: Migrate: pool: %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	err = migrate(ctx, pool, ms)
	if pgretry.ReadOnly(err) {
		// A database to migrate, on a server that cannot write.
		return pgretry.ReadOnlyError(ErrReadOnly, err)
	}
	return err
}

// migrate applies the migrations of ms the database lacks. Its statements'
// errors say what failed; those of beginning the transaction (a server
// that cannot be reached, ctx done) and of its commit get the package's
// prefix too.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	var stepErr error // the error of a statement in the transaction
	// Read committed, whatever default_transaction_isolation says: each
	// statement then sees what committed before it, so that one that
	// waited for another Migrate reads the schema it left. Under
	// repeatable read or serializable, the snapshot taken before the wait
	// showed the schema as it was, and the migrations were applied twice.
	opts := pgx.TxOptions{IsoLevel: pgx.ReadCommitted}
	err := pgx.BeginTxFunc(ctx, pool, opts, func(tx pgx.Tx) (err error) {
		defer func() { stepErr = err }()
		// Only ctx bounds the wait for another Migrate, and the
		// migration: a lock_timeout or statement_timeout of the server,
		// the database, the role or the connection string would fail a
		// replica that waits for another's migration, or the migration
		// itself, and an idle_in_transaction_session_timeout end it.
		if _, err := tx.Exec(ctx, pgretry.NoTimeouts); err != nil {
			return fmt.Errorf("pgstore: migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLockKey)); err != nil {
			return fmt.Errorf("pgstore: migrate: lock: %w", err)
		}
		// Read before anything is created: a role that may use the
		// tables but not create any in the schema (the tables migrated by
		// another) runs Migrate at start too, and CREATE TABLE IF NOT
		// EXISTS checks that privilege before it finds the table.
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass('outagecast_migrations') IS NOT NULL").Scan(&exists); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		var have schema
		// compatible_from is NULL in the rows of versions of this package
		// that did not record it, and missing from the table they created.
		hasColumn := false
		if exists {
			var err error
			if have, err = version(ctx, tx); err != nil {
				return err
			}
			if have.version > len(ms) {
				if err := have.usableBy(len(ms)); err != nil {
					return err
				}
			}
			if hasColumn, err = hasCompatibleFrom(ctx, tx); err != nil {
				return err
			}
		}
		if hasColumn && have.version >= len(ms) {
			// Every instance runs Migrate at start: with nothing to
			// change, it takes no lock that would wait for the table's
			// readers (and make them wait).
			return nil
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS outagecast_migrations (
			version integer PRIMARY KEY,
			name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now(),
			compatible_from integer)`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		// Locked until commit, so a New meanwhile waits for the
		// migrations under way, then reads their version.
		if _, err := tx.Exec(ctx, "LOCK TABLE outagecast_migrations IN ACCESS EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		if !hasColumn {
			if _, err := tx.Exec(ctx, "ALTER TABLE outagecast_migrations ADD COLUMN IF NOT EXISTS compatible_from integer"); err != nil {
				return fmt.Errorf("pgstore: migrate: %w", err)
			}
		}
		for _, m := range ms[min(have.version, len(ms)):] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("pgstore: migrate: %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO outagecast_migrations (version, name, compatible_from) VALUES ($1, $2, $3)",
				m.version, m.name, m.compatibleFrom); err != nil {
				return fmt.Errorf("pgstore: migrate: record %s: %w", m.name, err)
			}
		}
		return nil
	})
	if err != nil && stepErr == nil { // begin or commit
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return err
}

// hasCompatibleFrom reports whether the table outagecast_migrations (of
// the search_path, as the other statements find it) has the column
// compatible_from, from the catalog: no lock on the table.
func hasCompatibleFrom(ctx context.Context, tx pgx.Tx) (bool, error) {
	var has bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = 'outagecast_migrations'::regclass AND attname = 'compatible_from' AND NOT attisdropped)`).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("pgstore: migrate: read columns: %w", err)
	}
	return has, nil
}

// schema is the version of a database's schema.
type schema struct {
	version int // of the last migration applied, 0 when none is
	// compatibleFrom is the last migration's: the lowest SchemaVersion of
	// the versions of this package that can use the schema.
	compatibleFrom int
}

// version returns the database's schema version.
func version(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (schema, error) {
	// Through to_jsonb, a table without compatible_from (created by a
	// version of this package before it, and not migrated since) reads
	// as one whose rows have it NULL: compatible from their own version.
	var s schema
	err := q.QueryRow(ctx, `SELECT version, coalesce((to_jsonb(m)->>'compatible_from')::integer, version)
		FROM outagecast_migrations m ORDER BY version DESC LIMIT 1`).Scan(&s.version, &s.compatibleFrom)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows), errors.As(err, &pgErr) && pgErr.Code == "42P01": // undefined_table
		return schema{}, nil
	case err != nil:
		return schema{}, fmt.Errorf("pgstore: read schema version: %w", err)
	}
	return s, nil
}

// usableBy fails with ErrSchemaNewer unless a version of this package
// whose schema version is known can use the schema s, of a version at
// least as new.
func (s schema) usableBy(known int) error {
	if s.compatibleFrom <= known {
		return nil
	}
	return fmt.Errorf("%w: version %d (usable from version %d on), this package knows up to %d: "+
		"upgrade it, or restore an older database", ErrSchemaNewer, s.version, s.compatibleFrom, known)
}

// checkVersion fails unless a version of this package whose schema version
// is known can use the database's schema: at that version, or at a newer
// one compatible with it.
func checkVersion(ctx context.Context, pool *pgxpool.Pool, known int) error {
	s, err := version(ctx, pool)
	switch {
	case err != nil:
		return err
	case s.version < known:
		return fmt.Errorf("%w: version %d, this package needs %d: run pgstore.Migrate", ErrNotMigrated, s.version, known)
	}
	return s.usableBy(known)
}

// notMigrated adds ErrNotMigrated to the error of a statement on a table
// that does not exist (the tables were dropped after New checked them).
func notMigrated(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		return fmt.Errorf("%w: %w", ErrNotMigrated, err)
	}
	return err
}
