package broadcast_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The mark after a target's recorded failure, which names the sentinels
// its error wrapped (a control character, then "retracted"), reaches no
// one: not a Result's failures or error, an event's error or a log line,
// in a correction Job's first run, which records the refusals of the
// targets where a Retract deleted the post, nor in its later run, which
// reads them back, where errors.Is still finds ErrRetracted; nor
// Ledger.Done's text for a channel that asks it.
func TestRecordedFailureMarkReachesNoOne(t *testing.T) {
	for storeName, open := range partlyStores() {
		t.Run(storeName, func(t *testing.T) {
			ctx := context.Background()
			ch := usKeepsPosts()
			var logs strings.Builder
			var mu sync.Mutex
			var seen []string // every text a user could read
			opts := broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1},
				Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})),
				OnEvent: func(e broadcast.Event) {
					if e.Err != nil {
						mu.Lock()
						seen = append(seen, e.Err.Error())
						mu.Unlock()
					}
				}}
			b := newBroadcaster(t, opts, ch)
			u := sendAndRetractPartly(ctx, t, b)

			fix := u
			fix.ID, fix.Body = "fix", "We are investigating elevated error rates on the EU CDN."
			js, err := b.Jobs(broadcast.JobCorrect, fix, "wrong")
			require.NoError(t, err)
			for run := 1; run <= 2; run++ {
				res := b.RunJob(ctx, js[0], run)
				require.Len(t, res.Failures, 2, "run %d", run)
				for _, f := range res.Failures {
					assert.ErrorIs(t, f.Err, broadcast.ErrRetracted, "run %d: %s", run, f.Target)
					seen = append(seen, f.Err.Error())
				}
				require.Error(t, res.Err)
				seen = append(seen, res.Err.Error())
			}
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, logs.String())
			for _, s := range seen {
				assert.NotContains(t, s, "\x1f", "%q", s)
			}
			assert.Contains(t, logs.String(), "a Retract deleted the post", "the logs say why")
		})
	}
}
