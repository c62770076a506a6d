package dispatch

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/outagecast/outagecast/internal/pgretry"
)

// strandedSQL makes the jobs this instance's River client fetched last and
// left running available again at once, as River's rescuer makes a dead
// worker's, with the rescuer's error (rescuedError): the next run resumes
// the attempt with its number (see attempt) and the Ledger. Jobs an
// operator asked to cancel, or at River's MaxAttempts, are left to the
// rescuer, which cancels or discards them.
const strandedSQL = `UPDATE river_job SET state = 'available', scheduled_at = now(),
	errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt, 'error', $3::text, 'trace', '')),
	metadata = metadata || jsonb_build_object('river:rescue_count', coalesce(CASE
		WHEN jsonb_typeof(metadata -> 'river:rescue_count') = 'number' THEN (metadata ->> 'river:rescue_count')::int END, 0) + 1)
	WHERE state = 'running' AND queue = $1 AND attempted_by[cardinality(attempted_by)] = $2
		AND attempt < max_attempts AND NOT metadata ? 'cancel_attempted_at'`

// rescueStranded runs once River's client has stopped, none of its runs
// under way: a job it fetched last that is still running is one whose end
// River could not record (its completer gives up when the database does
// not answer its last tries before it stops) or whose fetch it never
// received (the connection broke after the server took it). Left so, the
// job waits for River's rescuer, Config.RescueAfter and more: an update
// minutes late. It is made available again now, for the next run on any
// instance, which finds what the last one delivered in the Ledger and does
// not post it again. Stop runs it, and so does the Start or Stop after a
// run that ended otherwise (its ctx, a Stop that failed); op names the
// call. A failure (the database still away past Config.ReconnectWait, or
// ctx ended: Stop's, bounded by twice Config.JobTimeout after Stop began)
// is logged, and the rescuer takes the jobs later, unless the next Start
// or Stop can; it reports whether the jobs were made available again.
func (d *Dispatcher) rescueStranded(ctx context.Context, op string) bool {
	var n int64
	err := d.outage.Do(ctx, func() error {
		return pgretry.OnConn(ctx, d.cfg.Pool, func(c *pgxpool.Conn) error {
			tag, err := c.Exec(ctx, strandedSQL, d.cfg.Queue, d.client.ID(), rescuedError)
			n = tag.RowsAffected()
			return err
		})
	})
	switch {
	case err != nil:
		d.cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "dispatch: "+op+": could not make the jobs River left "+
			"running available again; River's rescuer takes them after Config.RescueAfter", slog.String("err", err.Error()))
	case n > 0:
		d.cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "dispatch: "+op+": made jobs River left running "+
			"available again (their end was not recorded)", slog.Int64("jobs", n))
	}
	return err == nil
}
