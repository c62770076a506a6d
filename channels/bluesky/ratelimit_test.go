package bluesky

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// usedUpWrites are a PDS's headers of a post that used up the account's
// write points for the hour: RateLimit-Reset is Unix seconds, by the
// PDS's clock (fixedNow), 40 minutes on.
func usedUpWrites() http.Header {
	return http.Header{"Date": {fixedNow.Format(http.TimeFormat)}, "Ratelimit-Limit": {"5000"},
		"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {strconv.FormatInt(fixedNow.Add(40*time.Minute).Unix(), 10)},
		"Ratelimit-Policy": {"5000;w=3600"}}
}

// limitClock sets ch's clock to fixedNow and makes its sleeps pass at
// once, moving the clock on; each records the posts f had by then.
func limitClock(ch *Channel, f *fakePDS) (waits *[]time.Duration, posts *[]int) {
	c := ratelimittest.New(fixedNow, func() int { return len(f.received("com.atproto.repo.createRecord")) })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	return &c.Waits, &c.Seen
}

func limitUpdate(status broadcast.Status) broadcast.Update {
	u := testUpdate()
	u.Status, u.ID = status, ""
	return u.WithDefaults(fixedNow)
}

// A post whose success says the account's write points are used up
// (RateLimit-Remaining: 0) holds the next write until RateLimit-Reset: the
// PDS would refuse it with a 429. The deletion of a post is a write too.
func TestUsedUpWritesHoldTheNextPost(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) { f.writeLimits = usedUpWrites() })
	ch := newTestChannel(t, f)
	waits, posts := limitClock(ch, f)

	first, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)

	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{40 * time.Minute}, *waits)
	assert.Equal(t, []int{1}, *posts, "the post waited before it was made")
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 2)

	require.NoError(t, ch.Retract(context.Background(), first))
	assert.Len(t, *waits, 2, "the deletion, a write, waited too")
}

// The wait ends with the context: the post fails transient, with the time
// left, and the PDS gets no write. One longer than the attempt has left
// is not begun.
func TestUsedUpWritesWaitEndsWithTheContext(t *testing.T) {
	for _, deadline := range []bool{false, true} {
		f := newFakePDS(t)
		f.set(func(f *fakePDS) { f.writeLimits = usedUpWrites() })
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
		assert.Len(t, f.received("com.atproto.repo.createRecord"), 1, "no write while the points are used up")
		assert.False(t, broadcast.IsPermanent(err), "%v", err)
		assert.Equal(t, !deadline, errors.Is(err, context.Canceled), "%v", err)
		d, ok := broadcast.RetryDelay(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, 40*time.Minute, d)
		assert.Contains(t, err.Error(), "bluesky: post: rate limit: the account's rate limit is used up")
		for _, s := range testSecrets {
			assert.NotContains(t, err.Error(), s)
		}
	}
}

// What a request counts against: an account's record writes together, its
// logins apart, anything else the IP address's limit, which holds every
// request when used up.
func TestLimitGroup(t *testing.T) {
	for nsid, want := range map[string]string{
		"com.atproto.repo.createRecord":    "write",
		"com.atproto.repo.deleteRecord":    "write",
		"com.atproto.repo.applyWrites":     "write",
		"com.atproto.server.createSession": "login",
		"com.atproto.repo.getRecord":       ratelimit.Every,
		"com.atproto.server.getSession":    ratelimit.Every,
	} {
		assert.Equal(t, want, limitGroup(nsid), nsid)
	}
}

// RateLimit-Remaining on a write's answer is in points, of which a post
// costs 3, an update 2 and a deletion 1: after a post whose answer says 2
// are left, the next post waits for RateLimit-Reset (the PDS would refuse
// it with a 429), but a deletion (a retraction, which may be urgent) and
// an update do not. Before, 2 points left held nothing, and the post went
// out into a 429.
func TestFewPointsLeftHoldOnlyWritesCostingMore(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) {
		f.writeLimits = usedUpWrites()
		f.writeLimits["Ratelimit-Remaining"] = []string{"2"}
	})
	ch := newTestChannel(t, f)
	waits, posts := limitClock(ch, f)
	ctx := context.Background()

	first, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)

	require.NoError(t, ch.Retract(ctx, first))
	assert.Empty(t, *waits, "a deletion, 1 point of the 2 left, does not wait")
	assert.Len(t, f.received("com.atproto.repo.deleteRecord"), 1)

	_, _, err = ch.call(ctx, "update", http.MethodPost, "com.atproto.repo.putRecord", nil,
		map[string]any{"repo": testDID, "collection": Collection, "rkey": "3lkf5cbqw2a2k", "record": map[string]any{}})
	require.NoError(t, err)
	assert.Empty(t, *waits, "an update, 2 points of the 2 left, does not wait")

	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{40 * time.Minute}, *waits, "a post, 3 points, waits for the reset")
	assert.Equal(t, []int{1}, *posts, "the post waited before it was made")
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 2)
}

// What a request costs of its group's limit: writes in points, anything
// else one request.
func TestCost(t *testing.T) {
	for nsid, want := range map[string]int{
		"com.atproto.repo.createRecord":    3,
		"com.atproto.repo.putRecord":       2,
		"com.atproto.repo.deleteRecord":    1,
		"com.atproto.server.createSession": 1,
		"com.atproto.repo.getRecord":       1,
	} {
		assert.Equal(t, want, cost(nsid), nsid)
	}
}

// A post reserves its 3 points when it goes, until its answer: with 3
// points left, a post made while another is in flight waits for the
// reset instead of going too, into a 429. Before, both went.
func TestPostsMadeTogetherReservePoints(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) {
		f.writeLimits = usedUpWrites()
		f.writeLimits["Ratelimit-Remaining"] = []string{"3"}
	})
	ch := newTestChannel(t, f)
	waits, _ := limitClock(ch, f)
	ctx := context.Background()

	_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	require.Empty(t, *waits)

	g := newGate()
	f.set(func(f *fakePDS) { f.gate = g })
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
		done <- err
	}()
	<-g.arrived
	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusMonitoring)))
	close(g.release)
	require.NoError(t, err)
	require.NoError(t, <-done)
	assert.Equal(t, []time.Duration{40 * time.Minute}, *waits, "the second post waited for the reset")
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 3)
}

// An access token that expired during a hold is renewed before the write
// is made, by its "exp", not sent once more to be refused: the write goes
// once, with the refreshed token. Before, the held post went with the
// expired token, was answered ExpiredToken, and went again.
func TestHoldOutlivingTheAccessTokenRenewsFirst(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) { f.writeLimits, f.accessExp = usedUpWrites(), fixedNow.Add(30*time.Minute) })
	ch := newTestChannel(t, f)
	c := ratelimittest.New(fixedNow, func() int { return 0 })
	ch.s.now = c.Now
	ch.s.sleep = func(ctx context.Context, d time.Duration) error {
		f.expireAccess() // the PDS's clock passes the token's exp too
		return c.Sleep(ctx, d)
	}
	ctx := context.Background()

	_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{40 * time.Minute}, c.Waits)
	logins, refreshes := f.counts()
	assert.Equal(t, 1, logins)
	assert.Equal(t, 1, refreshes)
	assert.Equal(t, 2, len(f.received("com.atproto.repo.createRecord")), "no write with the expired token")
}

// panicky is a Transport whose answers to createRecord have a body that
// panics when read, while armed.
type panicky struct {
	next  http.RoundTripper
	armed atomic.Bool
}

func (p *panicky) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err == nil && p.armed.Load() && strings.HasSuffix(req.URL.Path, "/com.atproto.repo.createRecord") {
		resp.Body = panicBody{resp.Body}
	}
	return resp, err
}

type panicBody struct{ io.ReadCloser }

func (panicBody) Read([]byte) (int, error) { panic("transport broke") }

// A post whose transport panics (reading the answer) gives back the points it reserved: the
// next post, with 3 points left, goes at once. Before, the panic skipped
// the Release, and the 3 points counted as spent for good: every post
// after waited for the reset, in every window.
func TestPanicInTheRequestGivesThePointsBack(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) {
		f.writeLimits = usedUpWrites()
		f.writeLimits["Ratelimit-Remaining"] = []string{"3"}
	})
	p := &panicky{next: &http.Transport{}}
	ch := newTestChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: p, Timeout: 10 * time.Second} })
	waits, _ := limitClock(ch, f)
	ctx := context.Background()

	_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)
	p.armed.Store(true)
	require.Panics(t, func() { _, _ = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified))) })
	p.armed.Store(false)

	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusMonitoring)))
	require.NoError(t, err)
	assert.Empty(t, *waits, "the 3 points left were not spent by the post that panicked")
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 3)
}

// refreshGate is a Transport that holds the first refresh of the session
// until release is closed, once it said so on arrived.

// A write takes its session after its reservation's wait, not before: a
// post that renews its expired session while another write reserves the
// last points waits for the reset, and the access token it renewed,
// expired meanwhile too, is renewed again before the post goes. Before,
// the session was taken before the reservation, whose wait outlasted the
// token: the post went with it, was refused (ExpiredToken), and went again
// after another refresh.
func TestReservationWaitOutlivingTheAccessTokenRenewsFirst(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) {
		f.writeLimits, f.accessExp = usedUpWrites(), fixedNow.Add(30*time.Minute)
		f.writeLimits["Ratelimit-Remaining"] = []string{"6"} // two posts'
	})
	g := ratelimittest.NewGate(func(req *http.Request) bool {
		return strings.HasSuffix(req.URL.Path, "/com.atproto.server.refreshSession")
	}, &http.Transport{})
	g.Arm()
	ch := newTestChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: g, Timeout: 10 * time.Second} })
	c := ratelimittest.New(fixedNow, func() int { return 0 })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	ctx := context.Background()
	_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
	require.NoError(t, err)

	c.T = fixedNow.Add(31 * time.Minute) // the token expired, by its exp
	f.expireAccess()
	// The next token expires 4 minutes on: before the points reset.
	f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(35 * time.Minute) })
	var other *ratelimit.Reservation
	ch.s.sleep = func(ctx context.Context, d time.Duration) error {
		f.expireAccess() // the PDS's clock passes the token's exp too
		f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(3 * time.Hour) })
		other.Release() // the other write's answer was lost
		return c.Sleep(ctx, d)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
		done <- err
	}()
	<-g.Arrived
	// Another write reserves the points left while the post renews its
	// session.
	other, err = ch.s.rate.Reserve(ctx, ch.clock(), "the account's rate limit", 6, "write")
	require.NoError(t, err)
	close(g.Release)
	require.NoError(t, <-done)

	assert.Equal(t, []time.Duration{9 * time.Minute}, c.Waits, "the post waited for the reset")
	logins, refreshes := f.counts()
	assert.Equal(t, 1, logins)
	assert.Equal(t, 2, refreshes, "the session renewed after the wait, by its exp")
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 2, "no write with an expired token")
}

// A read's reservation of the IP address's limit does not hold its own
// renewal of the session: with one request left, the refresh goes at
// once, not after the reset, held by the request it renews the session
// for.
func TestReadDoesNotHoldItsOwnRenewal(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(30 * time.Minute) })
	ch := newTestChannel(t, f)
	c := ratelimittest.New(fixedNow, func() int { return 0 })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	ctx := context.Background()
	require.NoError(t, ch.Check(ctx))

	c.T = fixedNow.Add(31 * time.Minute) // the token expired, by its exp
	f.expireAccess()
	f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(3 * time.Hour) })
	ch.s.rate.Note(ratelimit.Every, "1", c.T, func() (time.Duration, bool) { return 5 * time.Minute, true })

	require.NoError(t, ch.Check(ctx))
	assert.Empty(t, c.Waits, "the refresh took the request left at once")
	_, refreshes := f.counts()
	assert.Equal(t, 1, refreshes)
	assert.Len(t, f.received("com.atproto.server.getSession"), 2)
}

// A write counts against the IP address's limit too, which every request
// counts against: with one request of it left, a read made while a post
// is in flight waits for the reset instead of going too, into a 429.
// Before, a write reserved only the account's write points, and the read
// went.
func TestWritesReserveTheIPAddressLimit(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	c := ratelimittest.New(fixedNow, func() int { return len(f.received("com.atproto.server.getSession")) })
	ch.s.now, ch.s.sleep = c.Now, c.Sleep
	ctx := context.Background()
	require.NoError(t, ch.Check(ctx))
	ch.s.rate.Note(ratelimit.Every, "1", c.T, func() (time.Duration, bool) { return 5 * time.Minute, true })

	g := newGate()
	f.set(func(f *fakePDS) { f.gate = g })
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
		done <- err
	}()
	<-g.arrived
	err := ch.Check(ctx)
	close(g.release)
	require.NoError(t, err)
	require.NoError(t, <-done)
	assert.Equal(t, []time.Duration{5 * time.Minute}, c.Waits, "the read waited for the IP address's limit to reset")
	assert.Equal(t, []int{1}, c.Seen, "before it was made")
}
