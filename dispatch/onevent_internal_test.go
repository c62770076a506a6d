package dispatch

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A panic in Config.OnEvent went on to River, which took the run for a
// failed one and ran the job again, delivered as it was: until River's
// MaxAttempts for an observer that panics on every event (the job then
// discarded, and Report saying it failed), and, when the Store had not
// recorded the delivery (broadcast.ErrNotRecorded), posting the update a
// second time. The panic is logged, and the run's outcome stands.
func TestAPanicInOnEventFailsNoRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		store broadcast.Store
		on    func(broadcast.EventKind) bool
	}{
		{"on every event", broadcast.NewMemoryStore(), func(broadcast.EventKind) bool { return true }},
		{"on the delivery, not recorded", markLost{broadcast.NewMemoryStore()},
			func(k broadcast.EventKind) bool { return k == broadcast.EventDelivered }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var posts atomic.Int32
			b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
				func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
					posts.Add(1)
					return broadcast.Receipt{ID: "post-1"}, nil
				})}, broadcast.Options{Store: tt.store})
			require.NoError(t, err)
			defer b.Close()
			var log bytes.Buffer
			var kinds []broadcast.EventKind
			d := &Dispatcher{cfg: Config{Broadcaster: b, Retry: broadcast.RetryPolicy{MaxAttempts: 3,
				InitialInterval: time.Second, MaxInterval: time.Minute, MaxElapsed: time.Hour},
				Logger: slog.New(slog.NewTextHandler(&log, nil)),
				OnEvent: func(e Event) {
					kinds = append(kinds, e.Kind)
					if tt.on(e.Kind) {
						panic("a bug in OnEvent")
					}
				}}, channels: b.Channels()}
			d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
			jobs, err := b.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
			m := &strayFailures{d: d}

			require.NotPanics(t, func() {
				err = m.Work(context.Background(), row, func(ctx context.Context) error { return d.work(ctx, row, jobs[0]) })
			}, "nothing for River to retry")
			require.NoError(t, err, "the job completes")
			assert.Equal(t, int32(1), posts.Load())
			assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventDelivered}, kinds)
			want := 0
			for _, k := range kinds {
				if tt.on(k) {
					want++
				}
			}
			assert.Equal(t, want, strings.Count(log.String(), "dispatch: Config.OnEvent panicked: a string"),
				"each panic logged: %s", log.String())
		})
	}
}
