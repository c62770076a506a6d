//go:build integration

package pgstore_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// logDeletes records, per DELETE statement on each of the Store's tables,
// its transaction and how many rows it deleted (a statement-level trigger
// with a transition table; PostgreSQL docs, CREATE TRIGGER, "REFERENCING").
func logDeletes(t *testing.T, s *pgstore.Store) {
	t.Helper()
	ctx := context.Background()
	_, err := s.Pool().Exec(ctx, `CREATE TABLE prune_log (tbl text, tx xid8, n bigint);
		CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO prune_log SELECT TG_TABLE_NAME, pg_current_xact_id(), count(*) FROM gone;
			RETURN NULL;
		END $$;
		CREATE TRIGGER log_marks AFTER DELETE ON outagecast_marks REFERENCING OLD TABLE AS gone
			FOR EACH STATEMENT EXECUTE FUNCTION log_delete();
		CREATE TRIGGER log_receipts AFTER DELETE ON outagecast_receipts REFERENCING OLD TABLE AS gone
			FOR EACH STATEMENT EXECUTE FUNCTION log_delete();`)
	require.NoError(t, err)
}

// Prune deletes in bounded batches, each a statement and a transaction of
// its own, so that it never holds the locks of a whole table's old rows
// (which the marks of deliveries under way wait for) nor builds one huge
// transaction; it goes on until no old row is left, and counts them all.
func TestPruneDeletesInBatches(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	old := 2*pgstore.PruneBatch + 17
	_, err := s.Pool().Exec(ctx, `INSERT INTO outagecast_marks (key, update_id, channel, target, failure, marked_at)
		SELECT sha256(i::text::bytea), 'u', 'x', i::text::bytea, '', now() - interval '2 days'
		FROM generate_series(1, $1) AS i`, old)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `INSERT INTO outagecast_receipts (key, update_id, channel, receipt, saved_at)
		SELECT sha256(i::text::bytea), i::text::bytea, 'x', '{}', now() - interval '2 days'
		FROM generate_series(1, 3) AS i`)
	require.NoError(t, err)
	require.NoError(t, s.Mark(ctx, "new", "x", "", nil))
	logDeletes(t, s)

	n, err := s.Prune(ctx, time.Now().Add(-24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(old+3), n, "rows deleted")

	var left int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM outagecast_marks").Scan(&left))
	assert.Equal(t, 1, left, "the new mark is kept")

	rows, err := s.Pool().Query(ctx, "SELECT tx::text, n FROM prune_log WHERE tbl = 'outagecast_marks' AND n > 0")
	require.NoError(t, err)
	txs := map[string]bool{}
	var total int64
	for rows.Next() {
		var tx string
		var n int64
		require.NoError(t, rows.Scan(&tx, &n))
		assert.LessOrEqual(t, n, int64(pgstore.PruneBatch), "rows in one statement")
		assert.False(t, txs[tx], "each batch its own transaction")
		txs[tx] = true
		total += n
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, int64(old), total)
	assert.GreaterOrEqual(t, len(txs), 3, "statements")
}

// A mark written again while Prune waits for its row (a delivery marked
// anew, as a retry of a failed target does) is no longer old: Prune's
// batch must not delete it on the strength of the old row it selected.
func TestPruneKeepsARowWrittenAgainMeanwhile(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	_, err := s.Pool().Exec(ctx, `INSERT INTO outagecast_marks (key, update_id, channel, target, failure, marked_at)
		SELECT sha256(i::text::bytea), 'u', 'x', i::text::bytea, '', now() - interval '2 days'
		FROM generate_series(1, 3) AS i`)
	require.NoError(t, err)

	// Another instance re-marks row 2 and holds its row lock.
	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "UPDATE outagecast_marks SET marked_at = now(), failure = 'again' WHERE key = sha256('2'::bytea)")
	require.NoError(t, err)

	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := s.Prune(ctx, time.Now().Add(-24*time.Hour))
		done <- result{n, err}
	}()
	// Prune waits for the row lock, which the re-mark then releases.
	require.Eventually(t, func() bool {
		var waiting bool
		err := s.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM outagecast_marks%' AND datname = current_database()
			AND pg_blocking_pids(pid) @> ARRAY[$1::int])`, tx.Conn().PgConn().PID()).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "Prune waits for the row")
	require.NoError(t, tx.Commit(ctx))

	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, int64(2), r.n)
	var failure string
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT convert_from(failure, 'UTF8') FROM outagecast_marks WHERE key = sha256('2'::bytea)").
		Scan(&failure), "the mark written again is kept")
	assert.Equal(t, "again", failure)
}

// Prune finds an update's channel mark by the key Mark gives it, computed
// in SQL from the receipt's update and channel: byte lengths, not
// character counts, and ids of any bytes.
func TestPruneKeepsReceiptsOfMarkedUpdatesOfAnyID(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	ids := []string{"u1", "\x00retract\x00ü-1", "\xff\xfe", strings.Repeat("é", 300)}
	for i, id := range ids {
		require.NoError(t, s.SaveReceipt(ctx, "inc-"+id, id, broadcast.Receipt{Channel: "chät\x00x", ID: fmt.Sprint("post ", i)}))
		require.NoError(t, s.Mark(ctx, id, "chät\x00x", "", nil))
	}
	_, err := s.Pool().Exec(ctx, `UPDATE outagecast_receipts SET saved_at = now() - interval '2 days';
		UPDATE outagecast_threads SET updated_at = now() - interval '2 days'`)
	require.NoError(t, err)

	n, err := s.Prune(ctx, time.Now().Add(-24*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "rows deleted")
	for i, id := range ids {
		r, ok, err := s.Receipt(ctx, id, "chät\x00x")
		require.NoError(t, err)
		assert.True(t, ok, "receipt of %q", id)
		assert.Equal(t, fmt.Sprint("post ", i), r.ID)
		th, err := s.Thread(ctx, "inc-"+id, "chät\x00x")
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint("post ", i), th.Root.ID, "thread of %q", id)
	}
}

// A receipt saved by a version whose schema was 1 or 2 names no incident:
// it does not keep a thread, which is pruned by age, as those versions did.
func TestPruneThreadOfReceiptWithoutIncident(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	_, err := s.Pool().Exec(ctx, `UPDATE outagecast_receipts SET saved_at = now() - interval '2 days', incident_id = NULL;
		UPDATE outagecast_threads SET updated_at = now() - interval '2 days'`)
	require.NoError(t, err)

	n, err := s.Prune(ctx, time.Now().Add(-24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "the thread")
	_, ok, err := s.Receipt(ctx, "u1", "x")
	require.NoError(t, err)
	assert.True(t, ok, "the receipt, kept with its mark")
}

// A cutoff far outside PostgreSQL's timestamps (4713 BC to 294276 AD)
// prunes as one just inside them would: one far behind removes nothing,
// one far ahead everything. pgx sent the year -300000 as the year 284000
// (its count of microseconds overflowed), and Prune removed everything;
// others, the server refused ("timestamp out of range").
func TestPruneFarOutsideTimestamps(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", broadcast.Receipt{Channel: "x", ID: "1"}))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	for _, behind := range []time.Time{time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-4713, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(-1<<62, 0)} {
		n, err := s.Prune(ctx, behind)
		require.NoError(t, err, "cutoff %v", behind)
		assert.Zero(t, n, "removed with cutoff %v", behind)
	}
	done, _, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.True(t, done, "kept")
	n, err := s.Prune(ctx, time.Date(1000000, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, int64(4), n, "removed: 2 marks, a receipt, a thread")
	for _, ahead := range []time.Time{time.Date(294300, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1<<62, 0)} {
		_, err := s.Prune(ctx, ahead)
		require.NoError(t, err, "cutoff %v", ahead)
	}
}

// planRows matches a scan node of EXPLAIN ANALYZE's text on the table
// outagecast_marks as Prune's statement names it (t, t_1 …, not a
// subquery's n), with the rows it returned and its loops.
var planRows = regexp.MustCompile(`Scan (?:using \S+ )?on outagecast_marks t(?:_\d+)? \(actual rows=(\d+) loops=(\d+)\)`)

// A batch of Prune reads of the table it deletes from about the rows it
// deletes, not the table whole: the rows it deletes are found once, and
// deleted by key. A statement that read all the table's old rows in each
// batch took time growing with the square of their number on a large
// table (PostgreSQL docs, "Using EXPLAIN", for EXPLAIN ANALYZE's rows and
// loops).
func TestPruneBatchReadsAboutItsRows(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	old := 10 * pgstore.PruneBatch
	_, err := s.Pool().Exec(ctx, `INSERT INTO outagecast_marks (key, update_id, channel, target, failure, marked_at)
		SELECT sha256(i::text::bytea), i::text::bytea, 'x', '', '', now() - interval '2 days'
		FROM generate_series(1, $1) AS i`, old)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, "ANALYZE outagecast_marks")
	require.NoError(t, err)

	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	plan := explain(t, tx, "(ANALYZE, COSTS OFF, TIMING OFF) "+pgstore.PruneQuery("outagecast_marks"), time.Now().Add(-24*time.Hour))
	read := 0
	for _, m := range planRows.FindAllStringSubmatch(plan, -1) {
		rows, _ := strconv.Atoi(m[1])
		loops, _ := strconv.Atoi(m[2])
		read += rows * loops
	}
	assert.NotZero(t, read, "scans found in the plan:\n%s", plan)
	assert.LessOrEqual(t, read, 2*pgstore.PruneBatch, "rows of outagecast_marks read by one batch:\n%s", plan)
}
