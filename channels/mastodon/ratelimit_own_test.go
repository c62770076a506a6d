package mastodon

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// mastodonLimits are the X-RateLimit-* fields Mastodon sends with an
// answer at date: its limit, none left, reset an ISO 8601 time with
// microseconds.
func mastodonLimits(date time.Time, limit string, reset time.Time) http.Header {
	return http.Header{"Date": {date.Format(http.TimeFormat)}, "X-Ratelimit-Limit": {limit},
		"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset.UTC().Format("2006-01-02T15:04:05.000000Z")}}
}

// A deletion's "0" in the last 5 minutes of the deletion limit's 30
// minutes (X-RateLimit-Limit: 30, which neither of Mastodon's general
// limits, 300 a token and 1,500 an account, has) holds the next deletion,
// not a post. Before, the post waited 3 minutes for the deletion limit.
func TestDeletionLimitInItsLastMinutesHoldsOnlyDeletions(t *testing.T) {
	f := newFakeMastodon(t)
	now := fixedNow.Add(27 * time.Minute) // 09:57, 3 minutes before the half hour
	reset := fixedNow.Add(30*time.Minute + 123456*time.Microsecond)
	f.set(func(f *fakeMastodon) { f.deleteLimits = mastodonLimits(now, "30", reset) })
	ch := newTestChannel(t, f)
	c := ratelimittest.New(now, func() int { return len(f.received(http.MethodPost, "/api/v1/statuses")) })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	ctx := context.Background()

	first, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	second, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
	require.NoError(t, err)
	require.NoError(t, ch.Retract(ctx, first))

	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusMonitoring)))
	require.NoError(t, err)
	require.Empty(t, c.Waits, "the post was not held by the deletion limit")

	require.NoError(t, ch.Retract(ctx, second))
	assert.Equal(t, []time.Duration{3*time.Minute + time.Second}, c.Waits, "the next deletion waited")
}

// mayBeGeneral on the fields of each server and limit, each resetting
// within the general limit's window.
func TestMayBeGeneral(t *testing.T) {
	boundary := fixedNow.Add(5 * time.Minute)
	for _, tc := range []struct {
		name, key string
		h         http.Header
		want      bool
	}{
		{"Mastodon's general limit, on a post", "statuses", mastodonLimits(fixedNow, "300", boundary.Add(421*time.Microsecond)), true},
		{"Mastodon's account-wide general limit, on a deletion", "delete", mastodonLimits(fixedNow, "1500", boundary), true},
		// Mastodon's limit of statuses resets on a 3-hour boundary of
		// Unix time, a 5-minute one too: not told from the general one.
		{"Mastodon's limit of statuses", "statuses", mastodonLimits(fixedNow, "300", boundary), true},
		{"Mastodon's deletion limit", "delete", mastodonLimits(fixedNow, "30", boundary), false},
		{"Mastodon's media limit", "media", mastodonLimits(fixedNow, "30", boundary), false},
		{"GoToSocial's one limit, Unix seconds", "delete", http.Header{"X-Ratelimit-Limit": {"30"},
			"X-Ratelimit-Reset": {"1741944917"}}, true},
	} {
		assert.Equal(t, tc.want, mayBeGeneral(tc.key, tc.h), tc.name)
	}
}
