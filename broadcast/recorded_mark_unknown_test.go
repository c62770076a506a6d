package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A target's recorded failure whose mark names a sentinel this version
// does not know (as a newer version may write before a rollback) is read
// as the text alone, without the mark: a Job's later run gives the text
// as recorded, the names it knows matched by errors.Is, the others
// ignored.
func TestRecordedFailureUnknownSentinelIgnored(t *testing.T) {
	for storeName, open := range partlyStores() {
		t.Run(storeName, func(t *testing.T) {
			ctx := context.Background()
			store := open(t)
			ch := &receivers{targets: []string{"a", "b"}}
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u := validUpdate()
			u.ID = "u1"
			require.NoError(t, store.Mark(ctx, "u1", "hooks", "a", errors.New("401 Unauthorized\x1fretracted\x1ffrom-the-future")))
			require.NoError(t, store.Mark(ctx, "u1", "hooks", "b", errors.New("410 Gone\x1ffrom-the-future")))

			js, err := b.Jobs(broadcast.JobSend, u, "")
			require.NoError(t, err)
			res := b.RunJob(ctx, js[0], 2)
			require.Len(t, res.Failures, 2, "%+v", res)
			texts := map[string]string{}
			for _, f := range res.Failures {
				texts[f.Target] = f.Err.Error()
				assert.NotContains(t, f.Err.Error(), "\x1f")
				assert.NotContains(t, f.Err.Error(), "from-the-future")
				assert.Equal(t, f.Target == "a", errors.Is(f.Err, broadcast.ErrRetracted), "%s: errors.Is ErrRetracted", f.Target)
				assert.NotErrorIs(t, f.Err, broadcast.ErrNotSupported, f.Target)
			}
			assert.Equal(t, "failed in an earlier attempt: 401 Unauthorized", texts["a"])
			assert.Equal(t, "failed in an earlier attempt: 410 Gone", texts["b"])
		})
	}
}
