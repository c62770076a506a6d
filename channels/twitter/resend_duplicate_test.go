package twitter

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// X refuses an update as a duplicate of another update's post made an
// hour before (not found among the update's posts): run 1 fails with
// ErrDuplicate, for good, nothing posted. A resend of the update (run 2)
// is a first attempt again, since run 1's was answered: the same refusal
// fails it again, rather than being taken for the lost answer of a post
// run 1 made, which would record a post that does not exist.
func TestResendAfterDuplicateRefusalIsNoDelivery(t *testing.T) {
	f := newFakeX(t, false)
	f.clock = func() time.Time { return fixedNow.Add(-time.Hour) }
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	old := testUpdate()
	old.ID = "old"
	_, err := ch.Send(context.Background(), broadcast.Message{Update: old, Attempt: 1})
	require.NoError(t, err)

	store := broadcast.NewMemoryStore()
	u := testUpdate()
	u.ID = "new"
	for run := 1; run <= 2; run++ {
		b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() }) // not before run 2: Close ends the channel
		_, err = b.Send(context.Background(), u)
		assert.ErrorIs(t, err, ErrDuplicate, "run %d", run)
	}
	assert.Len(t, f.Received(), 1)
}

// X refuses a duplicate with its v2 problem ("You are not allowed to
// create a Tweet with duplicate content.") or, as API v1.1 does and some
// of X's front ends still answer, with error 187, {"errors":[{"code":187,
// "message":"Status is a duplicate."}]}. Both are the same refusal: on a
// retry the earlier attempt's post counts as delivered, and on a first
// attempt the error wraps ErrDuplicate. Before, the 187 form was a plain
// 403: the retry failed for good although the update was posted.
func TestDuplicateStatusCode187(t *testing.T) {
	const dup187 = `{"errors":[{"code":187,"message":"Status is a duplicate."}]}`
	for _, attempt := range []int{1, 2} {
		t.Run("attempt "+strconv.Itoa(attempt), func(t *testing.T) {
			f := newFakeX(t, false)
			f.respondWith(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					answer(http.StatusForbidden, dup187)(w, r)
					return
				}
				timelineAnswer(answer(200, `{"meta":{"result_count":0}}`))(w, r)
			})
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			r, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: attempt})
			if attempt == 1 {
				require.ErrorIs(t, err, ErrDuplicate)
				assert.True(t, broadcast.IsPermanent(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "true", r.Meta["duplicate"])
		})
	}
}
