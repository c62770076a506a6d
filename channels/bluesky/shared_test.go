package bluesky

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// gatedFront is a server in front of f whose answer to nsid waits for
// its gate and is then answer, written without asking f (f's own answer
// when answer is nil); every other request goes to f. It counts the
// requests for nsid.
type gatedFront struct {
	*httptest.Server
	gate    chan struct{}
	arrived chan struct{} // gets a value as each request for nsid arrives
	mu      sync.Mutex
	hits    int
}

func newGatedFront(t *testing.T, f *fakePDS, nsid string, answer func(w http.ResponseWriter)) *gatedFront {
	t.Helper()
	pds, err := url.Parse(f.URL)
	require.NoError(t, err)
	forward := httputil.NewSingleHostReverseProxy(pds)
	g := &gatedFront{gate: make(chan struct{}), arrived: make(chan struct{}, 64)}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/xrpc/"+nsid {
			forward.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		g.hits++
		g.mu.Unlock()
		g.arrived <- struct{}{}
		<-g.gate
		if answer == nil {
			forward.ServeHTTP(w, r)
			return
		}
		answer(w)
	}))
	t.Cleanup(g.Close)
	t.Cleanup(func() { // before Close: no handler stays blocked
		select {
		case <-g.gate:
		default:
			close(g.gate)
		}
	})
	return g
}

func (g *gatedFront) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hits
}

// waitWaiters returns when n callers wait for the right to log in or
// refresh.
func waitWaiters(ch *Channel, n int) {
	for ch.s.sessions.waiters() < n {
		runtime.Gosched()
	}
}

// Calls that waited for a login or refresh that failed take its error:
// they do not each make one more, against the account's tight login
// limit (30 per 5 minutes, which a refused or rate-limited login counts
// against too). Before, eight posts waiting for a rate-limited login made
// eight logins, each answered 429; five posts waiting for a failed
// refresh made five refreshes.
func TestWaitersShareFailedLoginOrRefresh(t *testing.T) {
	rateLimited := func(w http.ResponseWriter) {
		writeXRPC(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
	}
	upstream := func(w http.ResponseWriter) {
		writeXRPC(w, http.StatusBadGateway, "UpstreamFailure", "Upstream Failure")
	}
	for _, tt := range []struct {
		name, nsid string
		answer     func(http.ResponseWriter)
		senders    int
		setup      func(t *testing.T, f *fakePDS, ch *Channel)
	}{
		{"login", "com.atproto.server.createSession", rateLimited, 8, func(*testing.T, *fakePDS, *Channel) {}},
		{"refresh", "com.atproto.server.refreshSession", upstream, 5, func(t *testing.T, f *fakePDS, ch *Channel) {
			require.NoError(t, ch.Check(context.Background()))
			f.expireAccess()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePDS(t)
			g := newGatedFront(t, f, tt.nsid, tt.answer)
			ch := newTestChannel(t, f, func(c *Config) { c.Service = g.URL })
			tt.setup(t, f, ch)

			errs := make([]error, tt.senders)
			var wg sync.WaitGroup
			send := func(i int) {
				wg.Go(func() {
					u := testUpdate()
					u.ID, u.Title = "", u.Title+" "+string(rune('A'+i))
					_, errs[i] = ch.Send(context.Background(), broadcast.NewMessage(u))
				})
			}
			send(0)
			<-g.arrived // the first holds the login or refresh
			for i := 1; i < tt.senders; i++ {
				send(i)
			}
			waitWaiters(ch, tt.senders-1)
			close(g.gate)
			wg.Wait()
			for i, err := range errs {
				require.Error(t, err, i)
				assert.False(t, broadcast.IsPermanent(err), "%d: %v", i, err)
				assert.Equal(t, errs[0].Error(), err.Error(), i)
			}
			assert.Equal(t, 1, g.count(), "one %s for %d posts", tt.nsid, tt.senders)
			assert.Empty(t, f.Received())

			// A call made after the failure tries again.
			_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.Equal(t, 2, g.count(), "a later post makes its own %s", tt.nsid)
		})
	}
}

// A caller whose context ends during its login leaves the callers that
// waited for it to log in themselves: the end of its context is no
// answer of the server's.
func TestWaiterLogsInAfterCancelledLogin(t *testing.T) {
	f := newFakePDS(t)
	g := newGatedFront(t, f, "com.atproto.server.createSession", nil)
	ch := newTestChannel(t, f, func(c *Config) { c.Service = g.URL })
	ctx, cancel := context.WithCancel(context.Background())
	var first, second error
	var wg sync.WaitGroup
	wg.Go(func() { _, first = ch.Send(ctx, broadcast.NewMessage(testUpdate())) })
	<-g.arrived
	wg.Go(func() {
		u := testUpdate()
		u.ID, u.Title = "", "Another incident"
		_, second = ch.Send(context.Background(), broadcast.NewMessage(u))
	})
	waitWaiters(ch, 1)
	cancel()
	for ch.s.sessions.finished() == 0 { // the cancelled login is over
		runtime.Gosched()
	}
	close(g.gate)
	wg.Wait()
	assert.ErrorIs(t, first, context.Canceled)
	require.NoError(t, second)
	assert.Equal(t, 2, g.count(), "the waiter logged in")
	assert.Len(t, f.Received(), 1)
}
