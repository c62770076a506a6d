package mastodon

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// usedUpPosts are Mastodon's headers of a post that used up the account's
// limit of statuses: X-RateLimit-Reset is an ISO 8601 time, by the
// instance's clock (fixedNow), 2 hours on, later than the general limit's
// 5-minute window can reset.
func usedUpPosts() http.Header { return usedUpIn(2 * time.Hour) }

// usedUpIn are the headers of an answer saying a limit is used up until d
// after fixedNow.
func usedUpIn(d time.Duration) http.Header {
	return http.Header{"Date": {fixedNow.Format(http.TimeFormat)}, "X-Ratelimit-Limit": {"300"},
		"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {fixedNow.Add(d).Format("2006-01-02T15:04:05.000000Z")}}
}

// limitClock sets ch's clock to fixedNow and makes its sleeps pass at
// once, moving the clock on; each records the posts f had by then.
func limitClock(ch *Channel, f *fakeMastodon) (waits *[]time.Duration, posts *[]int) {
	c := ratelimittest.New(fixedNow, func() int { return len(f.received(http.MethodPost, "/api/v1/statuses")) })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	return &c.Waits, &c.Seen
}

func limitUpdate(status broadcast.Status) broadcast.Update {
	u := testUpdate()
	u.Status, u.ID = status, ""
	return u.WithDefaults(fixedNow)
}

// A post whose success says the account's limit of statuses is used up
// (X-RateLimit-Remaining: 0) holds the next post until X-RateLimit-Reset:
// the instance would refuse it with a 429. A deletion, which Mastodon
// counts apart, is not held.
func TestUsedUpLimitHoldsTheNextPost(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.postLimits = usedUpPosts() })
	ch := newTestChannel(t, f)
	waits, posts := limitClock(ch, f)

	first, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)
	require.NoError(t, ch.Retract(context.Background(), first))
	require.Empty(t, *waits, "a deletion is not held by the limit of posts")

	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{2 * time.Hour}, *waits)
	assert.Equal(t, []int{1}, *posts, "the post waited before it was made")
	assert.Len(t, f.received(http.MethodPost, "/api/v1/statuses"), 2)
}

// The X-RateLimit-* fields of a post's answer describe whichever of the
// limit of statuses and the general limit has fewer left: a post answered
// "0" with a reset within the general limit's 5 minutes may have used up
// the general limit, which the instance counts every request against, so
// it holds a deletion (and every other request) too; one with a later
// reset is the limit of statuses and holds only posts (above). The
// general limit resets on a 5-minute boundary (fixedNow is on one).
func TestUsedUpPostMayBeTheGeneralLimit(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.postLimits = usedUpIn(5 * time.Minute) })
	ch := newTestChannel(t, f)
	waits, _ := limitClock(ch, f)

	first, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)
	require.NoError(t, ch.Retract(context.Background(), first))
	assert.Equal(t, []time.Duration{5 * time.Minute}, *waits, "the deletion waited for the general limit")
}

// The wait ends with the context: the post fails transient, with the time
// left, and the instance gets no post. One longer than the attempt has
// left is not begun.
func TestUsedUpLimitWaitEndsWithTheContext(t *testing.T) {
	for _, deadline := range []bool{false, true} {
		f := newFakeMastodon(t)
		f.set(func(f *fakeMastodon) { f.postLimits = usedUpPosts() })
		ch := newTestChannel(t, f)
		limitClock(ch, f)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(context.Background())
		ch.s.sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		if deadline {
			ch.s.sleep = func(context.Context, time.Duration) error { t.Error("waited past the deadline"); return nil }
			ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		}
		_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
		cancel()
		require.Error(t, err)
		assert.Len(t, f.received(http.MethodPost, "/api/v1/statuses"), 1, "no post while the limit is used up")
		assert.False(t, broadcast.IsPermanent(err), "%v", err)
		assert.Equal(t, !deadline, errors.Is(err, context.Canceled), "%v", err)
		d, ok := broadcast.RetryDelay(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, 2*time.Hour, d)
		assert.Contains(t, err.Error(), "mastodon: post: rate limit: the account's rate limit is used up")
		assert.NotContains(t, err.Error(), testToken)
	}
}

// Mastodon's limits, and what a request counts against: posting statuses
// and editing them, deleting them, and uploading media have limits of
// their own; every other request only the account's general one, which
// holds them all when used up.
func TestLimitGroup(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{http.MethodPost, "/api/v1/statuses", "statuses"},
		{http.MethodPut, "/api/v1/statuses/110", "statuses"},
		{http.MethodDelete, "/api/v1/statuses/110", "delete"},
		{http.MethodGet, "/api/v1/statuses/110", ratelimit.Every},
		{http.MethodPost, "/api/v2/media", "media"},
		{http.MethodPost, "/api/v1/media", "media"},
		{http.MethodPost, "/API/V2/Media", "media"},
		// Only an upload counts against the media limit: reading or
		// updating one, or a path that merely starts alike, does not.
		{http.MethodGet, "/api/v1/media/110", ratelimit.Every},
		{http.MethodPut, "/api/v1/media/110", ratelimit.Every},
		{http.MethodGet, "/api/v2/media", ratelimit.Every},
		{http.MethodPost, "/api/v1/mediafoo", ratelimit.Every},
		{http.MethodPost, "/api/v/media", ratelimit.Every},
		{http.MethodGet, "/api/v2/instance", ratelimit.Every},
		{http.MethodGet, "/api/v1/accounts/1/statuses?limit=40", ratelimit.Every},
	} {
		assert.Equal(t, tc.want, limitGroup(tc.method, tc.path), "%s %s", tc.method, tc.path)
	}
}

// gate is a Transport that holds the first post made while it is armed
// until release is closed, once it said so on arrived.

// A post reserves its request of the limit when it goes, until its
// answer: with one post left, a post made while another is in flight
// waits for the reset instead of going too, into a 429. Before, both went.
func TestPostsMadeTogetherReserveTheLimit(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) {
		f.postLimits = usedUpPosts()
		f.postLimits["X-Ratelimit-Remaining"] = []string{"1"}
	})
	g := ratelimittest.NewGate(func(req *http.Request) bool {
		return req.Method == http.MethodPost && req.URL.Path == "/api/v1/statuses"
	}, &http.Transport{})
	ch := newTestChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: g, Timeout: 10 * time.Second} })
	waits, posts := limitClock(ch, f)
	ctx := context.Background()

	_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)

	g.Arm()
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
		done <- err
	}()
	<-g.Arrived
	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusMonitoring)))
	close(g.Release)
	require.NoError(t, err)
	require.NoError(t, <-done)
	assert.Equal(t, []time.Duration{2 * time.Hour}, *waits, "the post made with the other in flight waited for the reset")
	assert.Equal(t, []int{1}, *posts, "while the other was in flight")
	assert.Len(t, f.received(http.MethodPost, "/api/v1/statuses"), 3)
}

// A post counts against the general limit too, which the instance counts
// every request against: with one request left of it (a post's answer
// said 1, resetting on the general limit's 5-minute boundary), a deletion
// made while a post is in flight waits for the reset instead of going
// too, into a 429. Before, a post reserved only the limit of statuses,
// and what its answer said was kept for that limit alone: the deletion,
// counted apart, went.
func TestRequestsOfOtherGroupsReserveTheGeneralLimit(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) {
		f.postLimits = usedUpIn(5 * time.Minute)
		f.postLimits["X-Ratelimit-Remaining"] = []string{"1"}
	})
	g := ratelimittest.NewGate(func(req *http.Request) bool {
		return req.Method == http.MethodPost && req.URL.Path == "/api/v1/statuses"
	}, &http.Transport{})
	ch := newTestChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: g, Timeout: 10 * time.Second} })
	c := ratelimittest.New(fixedNow, func() int { return len(f.received(http.MethodDelete, "")) })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	ctx := context.Background()

	first, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, c.Waits)

	g.Arm()
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusMonitoring)))
		done <- err
	}()
	<-g.Arrived
	err = ch.Retract(ctx, first)
	close(g.Release)
	require.NoError(t, err)
	require.NoError(t, <-done)
	assert.Equal(t, []time.Duration{5 * time.Minute}, c.Waits, "the deletion waited for the general limit's reset")
	assert.Equal(t, []int{0}, c.Seen, "before it was made")
}
