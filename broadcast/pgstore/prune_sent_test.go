//go:build integration

package pgstore_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// stepScan is a scan, in an EXPLAIN ANALYZE plan, of the table a Prune
// step deletes from (aliased t), and stepRemoved a line of the rows its
// filter read and dropped (PostgreSQL docs, "Using EXPLAIN").
var (
	stepScan    = regexp.MustCompile(`Scan (?:using \S+ )?on outagecast_\w+ t(?:_\d+)? \(actual rows=(\d+) loops=(\d+)\)`)
	stepRemoved = regexp.MustCompile(`^\s+Rows Removed by (?:Filter|Index Recheck): (\d+)`)
)

// stepRowsRead is how many rows of the table a step deletes from its
// plan read: those its scans returned and those their filters dropped.
func stepRowsRead(plan string) int {
	read, loops := 0, 0
	for _, line := range strings.Split(plan, "\n") {
		if m := stepScan.FindStringSubmatch(line); m != nil {
			rows, _ := strconv.Atoi(m[1])
			loops, _ = strconv.Atoi(m[2])
			read += rows * loops
			continue
		}
		if strings.Contains(line, "->") {
			loops = 0
		}
		if m := stepRemoved.FindStringSubmatch(line); m != nil {
			rows, _ := strconv.Atoi(m[1])
			read += rows * loops
		}
	}
	return read
}

// The first two steps of Prune (the records of the first Sends of the
// updates whose rows all go, then those updates' sent marks) read, in a
// batch, about the rows they delete, not every other old row of the table
// again: they read them through indexes of their own. Before, each batch
// read all the table's old rows that were not such records (here, 100
// times a batch), so that the two steps took time growing with the
// square of the table's size.
func TestPruneSentStepsReadAboutTheirRows(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	others := 100 * pgstore.PruneBatch
	sent := 2 * pgstore.PruneBatch
	for _, q := range []string{
		`INSERT INTO outagecast_receipts (key, update_id, channel, receipt, saved_at)
			SELECT sha256(('r' || i)::bytea), i::text::bytea, 'x', '{}', now() - interval '2 days'
			FROM generate_series(1, $1) AS i`,
		`INSERT INTO outagecast_marks (key, update_id, channel, target, failure, marked_at)
			SELECT sha256(('m' || i)::bytea), i::text::bytea, 'x', '', '', now() - interval '2 days'
			FROM generate_series(1, $1) AS i`,
	} {
		_, err := s.Pool().Exec(ctx, q, others)
		require.NoError(t, err)
	}
	for _, q := range []string{
		`INSERT INTO outagecast_receipts (key, update_id, channel, receipt, saved_at)
			SELECT sha256(('f' || i)::bytea), '\x0073656e7400'::bytea || ('s' || i)::bytea, '\x0073656e74'::bytea, '{}', now() - interval '2 days'
			FROM generate_series(1, $1) AS i`,
		`INSERT INTO outagecast_marks (key, update_id, channel, target, failure, marked_at)
			SELECT sha256(('s' || i)::bytea), ('s' || i)::bytea, '\x0073656e74'::bytea, '\x0073656e74'::bytea, '', now() - interval '2 days'
			FROM generate_series(1, $1) AS i`,
	} {
		_, err := s.Pool().Exec(ctx, q, sent)
		require.NoError(t, err)
	}
	_, err := s.Pool().Exec(ctx, "ANALYZE outagecast_marks; ANALYZE outagecast_receipts")
	require.NoError(t, err)

	for step := 0; step < 2; step++ {
		table, q := pgstore.PruneStep(step)
		tx, err := s.Pool().Begin(ctx)
		require.NoError(t, err)
		plan := explain(t, tx, "(ANALYZE, COSTS OFF, TIMING OFF) "+q, time.Now().Add(-24*time.Hour))
		require.NoError(t, tx.Rollback(ctx))
		read := stepRowsRead(plan)
		assert.NotZero(t, read, "step %d: scans found in the plan:\n%s", step+1, plan)
		assert.LessOrEqual(t, read, 3*pgstore.PruneBatch, "step %d: rows of %s read by one batch:\n%s", step+1, table, plan)
	}
}
