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
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one versioned step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the shipped migrations in order. Files are named
// NNNN_what.sql; their numbers run from 1 without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for i, name := range names { // fs.Glob sorts
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("pgstore: migration %s: not numbered %04d", base, i+1)
		}
		sql, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(sql)})
	}
	return ms, nil
}

// SchemaVersion is the version of the schema this package reads and writes:
// the number of its last migration.
const SchemaVersion = 2

// migrateLockKey serializes concurrent Migrate calls (two replicas starting
// at once) with a transaction-level advisory lock.
const migrateLockKey = 0x6f75746167656d31 // "outagem1"

// Migrate brings the database's schema to SchemaVersion, applying the
// migrations it lacks in one transaction, and records each one in
// outagecast_migrations. It is safe to run from several processes at once
// and does nothing on a database already at SchemaVersion. It fails with
// ErrSchemaNewer on a database migrated by a newer version of this package.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("pgstore: Migrate: pool: missing")
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	return migrate(ctx, pool, ms)
}

// migrate applies the migrations of ms the database lacks.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLockKey)); err != nil {
			return fmt.Errorf("pgstore: migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS outagecast_migrations (
			version integer PRIMARY KEY,
			name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		have, err := version(ctx, tx)
		if err != nil {
			return err
		}
		if have > len(ms) {
			return newerError(have)
		}
		for _, m := range ms[have:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("pgstore: migrate: %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO outagecast_migrations (version, name) VALUES ($1, $2)",
				m.version, m.name); err != nil {
				return fmt.Errorf("pgstore: migrate: record %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// version returns the highest migration applied, 0 when none is.
func version(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var v int
	err := q.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM outagecast_migrations").Scan(&v)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "42P01": // undefined_table
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("pgstore: read schema version: %w", err)
	}
	return v, nil
}

// checkVersion fails unless the schema is at SchemaVersion.
func checkVersion(ctx context.Context, pool *pgxpool.Pool) error {
	v, err := version(ctx, pool)
	switch {
	case err != nil:
		return err
	case v > SchemaVersion:
		return newerError(v)
	case v < SchemaVersion:
		return fmt.Errorf("%w: version %d, this package needs %d: run pgstore.Migrate", ErrNotMigrated, v, SchemaVersion)
	}
	return nil
}

func newerError(v int) error {
	return fmt.Errorf("%w: version %d, this package knows up to %d: upgrade it, or restore an older database",
		ErrSchemaNewer, v, SchemaVersion)
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
