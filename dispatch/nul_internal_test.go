package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// PostgreSQL's jsonb takes no NUL ("unsupported Unicode escape sequence"),
// and River keeps a run's error and output in jsonb, recording the ends of
// the jobs an instance finished in one statement, which it tries again
// until it goes through. A channel's error text with a NUL in it (a
// server's reply quoted, a third-party adapter's error) failed that
// statement for good: no job's end on the instance was recorded any more,
// and every job it ran was taken for a dead worker's and run again. What
// River records holds no NUL; the error still matches the channel's.
func TestRiverRecordsNoNUL(t *testing.T) {
	const text = "550 mailbox \x00 unavailable"
	failure := errors.New(text)
	for _, tt := range []struct {
		name string
		err  error
		row  *rivertype.JobRow
	}{
		{"retried", failure, &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues}},
		{"given up", broadcast.Permanent(failure), &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues}},
		{"last attempt", failure, &rivertype.JobRow{ID: 7, Attempt: 3, MaxAttempts: 3 + maxRescues}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := dispatcherFailingWith(t, tt.err)
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			row := *tt.row
			row.CreatedAt = time.Now()
			m := &strayFailures{d: d}
			err = m.Work(context.Background(), &row, func(ctx context.Context) error { return d.work(ctx, &row, jobs[0]) })
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "\x00", "River records this text in jsonb")
			assert.ErrorIs(t, err, failure)
		})
	}

	res := broadcast.Result{
		Failures: []broadcast.TargetFailure{{Target: "a\x00@example.com", Err: failure}},
		Pending:  []broadcast.TargetFailure{{Target: "b@example.com", Err: failure}},
	}
	notRecorded := broadcast.Result{Err: broadcast.Permanent(fmt.Errorf("%w: %w", broadcast.ErrNotRecorded, failure)),
		Receipt: broadcast.Receipt{Channel: "x", ID: "m\x00", Meta: map[string]string{"k\x00": "v\x00"}}}
	row := &rivertype.JobRow{ID: 7, Attempt: 1, Metadata: []byte(`{}`)}
	for name, out := range map[string]output{"failures": newOutput(res), "not recorded": newOutput(notRecorded)} {
		t.Run(name, func(t *testing.T) {
			kept, ok := recorded(row, out, "waiting: "+text)
			require.True(t, ok)
			raw, err := json.Marshal(kept)
			require.NoError(t, err)
			assert.NotContains(t, string(raw), `\u0000`, "River records this output in jsonb")
			assert.Contains(t, string(raw), "550 mailbox \uFFFD unavailable")
		})
	}
}

// nulHandler is a Logger's handler that panics with a NUL in the panic's
// text.
type nulHandler struct{ slog.Handler }

func (nulHandler) Handle(context.Context, slog.Record) error {
	panic(struct{ text string }{"handler \x00"})
}

// A panic's text is recorded by River in jsonb too (fmt's %v of it): one
// holding a NUL, in a run or after its outcome (here a Logger's handler,
// unguarded as New would not leave it), failed
// River's statement recording the ends of the instance's jobs, as an
// error's did. The panic River sees is the text package panictext shows
// of it (the value's type), which holds no NUL.
func TestRiverRecordsNoNULOfAPanic(t *testing.T) {
	failure := errors.New("503")
	within := func() *rivertype.JobRow {
		return &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	}
	type value struct{ text string }
	for _, tt := range []struct {
		name    string
		row     *rivertype.JobRow
		onEvent func(Event)
		run     func(d *Dispatcher, ctx context.Context, row *rivertype.JobRow, j broadcast.Job) error
		want    any
	}{
		{"in the run", within(), nil, func(*Dispatcher, context.Context, *rivertype.JobRow, broadcast.Job) error {
			panic(fmt.Sprintf("boom %s", "\x00"))
		}, "a string"},
		{"in the Logger, after the outcome",
			// The last attempt: given up, and the Logger panics telling of
			// OnEvent's panic on its EventFailed.
			&rivertype.JobRow{ID: 7, Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()},
			func(e Event) {
				if e.Kind == broadcast.EventFailed {
					panic("hook")
				}
			},
			func(d *Dispatcher, ctx context.Context, row *rivertype.JobRow, j broadcast.Job) error {
				d.cfg.Logger = slog.New(nulHandler{slog.NewTextHandler(io.Discard, nil)})
				return d.work(ctx, row, j)
			}, "a struct { text string }"},
		{"without a NUL", within(), nil, func(*Dispatcher, context.Context, *rivertype.JobRow, broadcast.Job) error {
			panic(value{"boom"})
		}, "a dispatch.value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := dispatcherFailingWith(t, failure)
			d.cfg.OnEvent = tt.onEvent
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			m := &strayFailures{d: d}
			var p any
			func() {
				defer func() { p = recover() }()
				_ = m.Work(context.Background(), tt.row, func(ctx context.Context) error { return tt.run(d, ctx, tt.row, jobs[0]) })
			}()
			require.NotNil(t, p, "the panic goes on to River")
			assert.Equal(t, tt.want, p, "River records fmt's %%v of it: %v", p)
		})
	}
}
