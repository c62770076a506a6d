package pgstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/jsontime"
	"github.com/outagecast/outagecast/internal/nilctx"
	"github.com/outagecast/outagecast/internal/pgretry"
)

// key is the primary key of a row: the SHA-256 of kind and parts, each
// prefixed with its length, so that ("a\x00b", "c") and ("a", "b\x00c")
// never share a key, and a long target fits an index entry.
func key(kind string, parts ...string) []byte {
	h := sha256.New()
	for _, p := range append([]string{kind}, parts...) {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return h.Sum(nil)
}

// Mark implements broadcast.Store.
func (s *Store) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	text := ""
	if failure != nil {
		text = cmp.Or(failure.Error(), "failed")
	}
	_, err := s.exec(ctx, false, `INSERT INTO outagecast_marks (key, update_id, channel, target, failure)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET failure = EXCLUDED.failure, marked_at = now()`,
		key("mark", updateID, channel, target), []byte(updateID), []byte(channel), []byte(target), []byte(text))
	return wrap("mark", err)
}

// Done implements broadcast.Store.
func (s *Store) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	var failure []byte
	err := s.queryRow(ctx, "SELECT failure FROM outagecast_marks WHERE key = $1",
		[]any{key("mark", updateID, channel, target)}, &failure)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, "", nil
	case err != nil:
		return false, "", wrap("read mark", err)
	}
	return true, string(failure), nil
}

// SaveReceipt implements broadcast.Store. The receipt of the update and the
// incident's thread are written in one statement, so they never disagree.
func (s *Store) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	// RFC 3339 cuts a zone's offset to the minute: see jsontime.
	r.Time, r.UpdateTime = jsontime.Exact(r.Time), jsontime.Exact(r.UpdateTime)
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("pgstore: save receipt: encode: %w", err)
	}
	// Not run twice: between the two another instance may have saved a
	// newer receipt, which the second run would put back behind this one.
	_, err = s.exec(ctx, true, `WITH receipt AS (
			INSERT INTO outagecast_receipts (key, update_id, channel, receipt, incident_id) VALUES ($1, $2, $3, $4, $6)
			ON CONFLICT (key) DO UPDATE SET receipt = EXCLUDED.receipt, incident_id = EXCLUDED.incident_id, saved_at = now())
		INSERT INTO outagecast_threads (key, incident_id, channel, root, last) VALUES ($5, $6, $3, $4, $4)
		ON CONFLICT (key) DO UPDATE SET last = EXCLUDED.last, updated_at = now()`,
		key("receipt", updateID, r.Channel), []byte(updateID), []byte(r.Channel), string(v),
		key("thread", incidentID, r.Channel), []byte(incidentID))
	return wrap("save receipt", err)
}

// Thread implements broadcast.Store.
func (s *Store) Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error) {
	var root, last []byte
	err := s.queryRow(ctx, "SELECT root::text, last::text FROM outagecast_threads WHERE key = $1",
		[]any{key("thread", incidentID, channel)}, &root, &last)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return broadcast.Thread{}, nil
	case err != nil:
		return broadcast.Thread{}, wrap("read thread", err)
	}
	var t broadcast.Thread
	if err := decode(root, &t.Root); err != nil {
		return broadcast.Thread{}, err
	}
	return t, decode(last, &t.Last)
}

// Receipt implements broadcast.Store.
func (s *Store) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	var v []byte
	err := s.queryRow(ctx, "SELECT receipt::text FROM outagecast_receipts WHERE key = $1",
		[]any{key("receipt", updateID, channel)}, &v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return broadcast.Receipt{}, false, nil
	case err != nil:
		return broadcast.Receipt{}, false, wrap("read receipt", err)
	}
	var r broadcast.Receipt
	if err := decode(v, &r); err != nil {
		return broadcast.Receipt{}, false, err
	}
	return r, true, nil
}

func decode(v []byte, r *broadcast.Receipt) error {
	if err := json.Unmarshal(v, r); err != nil {
		return fmt.Errorf("pgstore: decode receipt: %w", err)
	}
	return nil
}

// Prune deletes what was written before cutoff, and returns how many rows
// it deleted, choosing cutoff well past the time an update might be
// re-sent, corrected or retracted:
//
//   - An update's marks and receipts, on every channel and target, are
//     deleted together, when the newest of them was written before
//     cutoff; while any of them is kept, all are. So as long as a Send of
//     the update skips a channel, Correct and Retract find its post, and a
//     Retract tells a channel that never posted the update from one whose
//     records are gone (see broadcast.Broadcaster.Retract). Once they are
//     gone, sending the update again delivers it again, and a Retract
//     cannot find the posts made before, not even after such a Send.
//   - An incident's thread on a channel is deleted when it was last saved
//     before cutoff and no receipt of the incident on the channel is left:
//     the thread is kept while any of its updates is. Its next update then
//     starts a new thread. (Receipts saved by a version of this package
//     whose schema was 1 or 2 do not name their incident: they do not
//     keep a thread.)
//
// The records of the Times updates were first sent with
// (Broadcaster.SentTime), of which update a correction ID corrects
// (Broadcaster.Correct: once deleted, that ID given to the correction of
// another update is no longer refused) and of the targets a delivery
// reached before it failed (once deleted, a Retract says it cannot find
// their posts), and the posts fan-out channels made in single targets,
// are receipts under keys of their own, without marks, deleted by age. A Retract
// is recorded as a mark too, made when the post was deleted: with a
// cutoff after it, a thread still kept forgets that its post was deleted,
// and a later update may reply to it. So are the records of which post
// an update followed in its thread: once one is gone, an update after the
// retraction of the thread's latest post replies to its first.
//
// Rows are stamped with the database server's clock (now()), cutoff is
// compared with those stamps: a server clock ahead of or behind this
// machine's moves what a cutoff removes by as much.
//
// It deletes in batches of at most 1,000 rows, each a statement (and a
// transaction) of its own, so that deliveries under way never wait long
// for the rows it locks, until no such row is left or ctx ends; on an
// error, the count is of the rows the batches before it deleted. The
// batches before stay committed: a Prune ended part-way (ctx ended, the
// connection lost, the process killed) may have deleted some of an
// update's rows and kept others. So it first deletes the records that
// vouch for an update's later ones, the record of its first Send and
// then its sent mark, of the updates whose rows all go, and only then the
// other marks, receipts and threads: while either record is kept, so is
// every record of its update written since, and a Retract never Skips a
// channel whose records of the update are gone on the word of a record
// that vouched for them (see broadcast.Broadcaster.Retract); it finds
// those records through indexes that hold them alone. A row
// written again while Prune runs (a mark, a receipt) is no longer older
// than cutoff, and is kept, and so are the rows of its update that are
// left: an update whose rows were all older than cutoff, sent again while
// Prune deletes them, may keep some of them (its marks deleted and its
// receipts kept, or some of its marks kept): a Retract of it then finds
// the posts whose receipts are kept, and may Skip a channel whose
// attempt's outcome was unknown, its mark deleted (see
// broadcast.Broadcaster.Retract). Each batch looks up the
// rows written since cutoff, through the indexes on their times, picks
// the rows it deletes once and deletes them by key, rather than reading
// every old row of the table again.
//
// Prune runs no VACUUM: as every DELETE in PostgreSQL, it leaves the rows
// it deletes in the tables' and indexes' pages as dead tuples until a
// VACUUM reclaims their space, which autovacuum (on by default) runs once
// a table's dead tuples pass its thresholds (autovacuum_vacuum_threshold
// and autovacuum_vacuum_scale_factor: 50 rows and 20% of the table by
// default). The space is then reused for new rows, not given back to the
// operating system: the tables' files keep the size they grew to. VACUUM
// FULL (or a tool such as pg_repack) shrinks them, holding an exclusive
// lock on the table while it rewrites it, which deliveries wait for (see
// https://www.postgresql.org/docs/current/routine-vacuuming.html,
// "Recovering Disk Space"). Where autovacuum is off, VACUUM the tables
// after a Prune that deleted many rows.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	if err := s.made(); err != nil {
		return 0, wrap("prune", err)
	}
	if ctx == nil {
		return 0, wrap("prune", errNilContext)
	}
	for _, step := range pruneSteps {
		q := step.query()
		table := step.table
		for {
			if err := ctx.Err(); err != nil {
				return n, wrap("prune", err)
			}
			tag, err := s.exec(ctx, true, q, pruneCutoff(cutoff)) // a second run would count 0 for what the first deleted
			if err != nil {
				return n, wrap("prune "+table, err)
			}
			n += tag.RowsAffected()
			if tag.RowsAffected() == 0 {
				break
			}
		}
	}
	return n, nil
}

// pruneCutoff is cutoff as Prune's statements take it. PostgreSQL's
// timestamps run from 4713 BC to 294276 AD, and pgx sends a time.Time far
// outside them as another time, its count of microseconds overflowed (a
// cutoff of the year -300000 reached the server as one of the year 284000,
// and Prune removed everything), or as one the server refuses: a cutoff
// before every row's stamp is sent as -infinity, one after every row's
// stamp as infinity.
func pruneCutoff(cutoff time.Time) pgtype.Timestamptz {
	switch {
	case cutoff.Before(pruneCutoffMin):
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	case cutoff.After(pruneCutoffMax):
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: cutoff, Valid: true}
}

// pruneCutoffMin and pruneCutoffMax are the cutoffs before and after any
// row's stamp (the server's now() when it was written), inside
// PostgreSQL's range, between which pruneCutoff sends a cutoff as it is.
var (
	pruneCutoffMin = time.Date(-4000, 1, 1, 0, 0, 0, 0, time.UTC)
	pruneCutoffMax = time.Date(100000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// pruneStep is one of Prune's steps: it deletes, in batches, the rows of
// table older than cutoff (by the column at, which has an index) on
// which the condition goes holds, for a row t.
type pruneStep struct{ table, at, goes string }

// pruneSteps are Prune's steps, in order. The first two delete the
// records that vouch for an update's records written after them (see
// sentKey in package broadcast): the record of its first Send (the
// receipt of update "\x00sent\x00"+ID, on channel "\x00sent") and its
// sent mark (its mark on channel and target "\x00sent"), of the updates
// whose rows all go, before any other row of those updates, so that at
// every batch's commit, while either is kept, so is every record of its
// update written since: a Prune ended part-way (its ctx ended, its
// connection lost, the process killed) leaves no record that tells a
// Retract a channel never posted the update, its records removed. Each
// is found through a partial index that holds such records alone (schema
// version 5): through the index on all the rows' times, each batch read
// every other old row of the table again. The record of a first Send
// whose update is kept goes in the receipts' step,
// by age, as before: without it, a Retract stays on the safe side. The
// threads' step comes last: what it keeps depends on the receipts kept.
var pruneSteps = []pruneStep{
	{"outagecast_receipts", "saved_at", `substring(t.update_id for 6) = '\x0073656e7400'::bytea
		AND t.channel = '\x0073656e74'::bytea AND ` + pruneUpdateOld("t.update_id") + `
		AND ` + pruneUpdateOld("substring(t.update_id from 7)")},
	{"outagecast_marks", "marked_at", `t.channel = '\x0073656e74'::bytea AND t.target = '\x0073656e74'::bytea
		AND ` + pruneUpdateOld("t.update_id")},
	{"outagecast_marks", "marked_at", pruneUpdateOld("t.update_id")},
	{"outagecast_receipts", "saved_at", pruneUpdateOld("t.update_id")},
	// Found through the index on the hashes of incident_id and channel:
	// one on the values could not hold a long one.
	{"outagecast_threads", "updated_at", `NOT EXISTS (SELECT 1 FROM outagecast_receipts r
		WHERE sha256(r.incident_id) = sha256(t.incident_id) AND sha256(r.channel) = sha256(t.channel)
		AND r.incident_id = t.incident_id AND r.channel = t.channel AND r.incident_id IS NOT NULL)`},
}

// pruneUpdateOld is the condition that every mark and receipt of the
// update whose ID is the expression update is older than cutoff: an
// update's rows go together.
func pruneUpdateOld(update string) string {
	return fmt.Sprintf(`NOT EXISTS (SELECT 1 FROM outagecast_marks n WHERE n.marked_at >= $1 AND n.update_id = %[1]s)
		AND NOT EXISTS (SELECT 1 FROM outagecast_receipts n WHERE n.saved_at >= $1 AND n.update_id = %[1]s)`, update)
}

// query is the step's statement. Its subquery picks a batch of
// rows to delete, once (an InitPlan: PostgreSQL docs, "Using EXPLAIN"),
// and the statement deletes them by key, through the primary key's
// index: a condition on each row of the table in the statement itself
// read all the table's old rows in every batch, so that a Prune of a
// large table took time growing with the square of their number. The
// subquery's condition is the whole of the step's, so that a batch of rows
// that are kept never ends the step early. The outer condition on the
// row's time is checked again on a row another session wrote while this
// one waited for it; a condition on other rows would be checked on
// those the statement's snapshot holds, which the subquery checked
// already (https://www.postgresql.org/docs/current/transaction-iso.html,
// Read Committed Isolation Level).
func (p pruneStep) query() string {
	return fmt.Sprintf(`DELETE FROM %[1]s t WHERE %[2]s < $1
		AND key = ANY (ARRAY(SELECT key FROM %[1]s t WHERE %[2]s < $1 AND %[3]s LIMIT %[4]d))`, p.table, p.at, p.goes, pruneBatch)
}

// pruneBatch is how many rows one of Prune's statements deletes at most.
const pruneBatch = 1000

// exec is pool.Exec, again on another connection when the connection
// broke, or reached a read-only server (see ReconnectWait). A statement
// whose second run would not be the same as one is once runs again only
// when it cannot have run (see pgretry.Unrun).
func (s *Store) exec(ctx context.Context, once bool, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	if err := s.made(); err != nil {
		return tag, err
	}
	if ctx == nil {
		return tag, errNilContext
	}
	try := s.outage.Do
	if once {
		try = s.outage.Unrun
	}
	err := try(ctx, func() error {
		// On a connection to a server that cannot write (a failover
		// under way), closed: the next try connects anew.
		return pgretry.OnConn(ctx, s.pool, func(c *pgxpool.Conn) (err error) {
			tag, err = c.Exec(ctx, sql, args...)
			return err
		})
	})
	return tag, err
}

// queryRow is pool.QueryRow(ctx, sql, args...).Scan(dest...), again on
// another connection when the connection broke (see ReconnectWait).
func (s *Store) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	if err := s.made(); err != nil {
		return err
	}
	if ctx == nil {
		return errNilContext
	}
	return s.outage.Do(ctx, func() error { return s.pool.QueryRow(ctx, sql, args...).Scan(dest...) })
}

// made returns errNotMade for a Store not made by New or Open: a nil
// *Store (its constructor failed, the error dropped) or a zero Store.
func (s *Store) made() error {
	if s == nil || s.pool == nil {
		return errNotMade
	}
	return nil
}

// errNotMade is the error of a call of a Store not made by New or Open,
// which would otherwise panic on its missing pool.
var errNotMade = errors.New("store not made (a Store is made by New or Open)")

// errNilContext is the error of a call given a nil context, which would
// otherwise panic deep in the driver.
var errNilContext = nilctx.Err

// wrap prefixes err with the package and the operation; nil stays nil. A
// write a read-only server refused also matches ErrReadOnly, and says
// what to do about it.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if pgretry.ReadOnly(err) {
		return fmt.Errorf("pgstore: %s: %w", op, pgretry.ReadOnlyError(ErrReadOnly, err))
	}
	return fmt.Errorf("pgstore: %s: %w", op, notMigrated(err))
}
