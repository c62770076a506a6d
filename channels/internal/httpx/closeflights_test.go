package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Watching a request for Close costs it one allocation, its flight, which
// Close finds in its Client's list: a context.AfterFunc on the Client's
// context cost each request two more.
func TestWatchAllocatesItsFlightOnly(t *testing.T) {
	c := ChannelClient(nil, ClientOptions{})
	defer c.Close()
	cancel := func() {}
	allocs := testing.AllocsPerRun(100, func() {
		f, err := c.watch(cancel)
		if err != nil {
			t.Fatal(err)
		}
		f.end()
	})
	assert.Equal(t, 1.0, allocs)
}

// inFlight counts the flights Close of c would end.
func inFlight(c Client) int {
	c.shut.flights.mu.Lock()
	defer c.shut.flights.mu.Unlock()
	n := 0
	for f := c.shut.flights.head; f != nil; f = f.next {
		n++
	}
	return n
}

// A request that ends leaves its Client's flights, wherever it is among
// them (first, last or between others), and Close ends every one left,
// and only those: each fails with the channel's closed error, and the
// requests that ended before it keep their answers.
func TestCloseEndsEveryFlightLeft(t *testing.T) {
	stalled := make(chan struct{}, 4)
	held := make(chan struct{}, 4)
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then it sees the client go
		switch r.URL.Path {
		case "/stall":
			stalled <- struct{}{}
			<-r.Context().Done()
		case "/hold":
			held <- struct{}{}
			<-hold
		}
	}))
	defer srv.Close()
	var release sync.Once
	defer release.Do(func() { close(hold) })
	c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
	defer c.Close()
	s := senders()[1] // DoStatus: POST
	type result struct {
		resp *Response
		err  error
	}
	start := func(path string, wait <-chan struct{}) <-chan result {
		done := make(chan result, 1)
		go func() {
			resp, err := s.send(c, srv.URL+path)
			done <- result{resp, err}
		}()
		<-wait
		return done
	}

	_, err := s.send(c, srv.URL) // joins and leaves alone
	require.NoError(t, err)
	assert.Zero(t, inFlight(c))
	first := start("/stall", stalled)
	between := start("/hold", held)
	last := start("/stall", stalled)
	assert.Equal(t, 3, inFlight(c))
	_, err = s.send(c, srv.URL) // leaves first in the list
	require.NoError(t, err)
	release.Do(func() { close(hold) })
	r := <-between // leaves from between the two others
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.resp.Status)
	assert.Equal(t, 2, inFlight(c))

	require.NoError(t, c.Close())
	for _, done := range []<-chan result{first, last} {
		r := <-done
		require.Error(t, r.err)
		assert.ErrorIs(t, r.err, errTestClosed)
		assert.Truef(t, broadcast.IsPermanent(r.err), "IsPermanent(%q)", r.err)
		assert.Truef(t, broadcast.IsUncertain(r.err), "IsUncertain(%q): the request was written", r.err)
	}
	assert.Zero(t, inFlight(c))
}

// Requests that begin while Close runs are either ended by it or not
// sent: none goes on past it, each fails with the channel's closed error,
// permanent, and none is left in the Client's flights.
func TestCloseRacesRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	for _, s := range senders() {
		c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := s.send(c, srv.URL)
				errs <- err
			})
		}
		require.NoError(t, c.Close())
		wg.Wait()
		close(errs)
		for err := range errs {
			require.Errorf(t, err, "%s", s.name)
			assert.ErrorIsf(t, err, errTestClosed, "%s", s.name)
			assert.Truef(t, broadcast.IsPermanent(err), "%s: IsPermanent(%q)", s.name, err)
			assert.Falsef(t, errors.Is(err, context.DeadlineExceeded), "%s: %q", s.name, err)
		}
		assert.Zerof(t, inFlight(c), "%s", s.name)
	}
}

type panicTransport struct{}

func (panicTransport) RoundTrip(*http.Request) (*http.Response, error) { panic("round trip") }

// A request whose sending panics (a caller's Transport), which an adapter
// recovers from to fail that request only (package guard), leaves its
// Client's flights: before, Do's stayed there for the Client's life.
func TestPanicSendingLeavesFlights(t *testing.T) {
	for _, s := range senders() {
		c := ChannelClient(&http.Client{Transport: panicTransport{}}, ClientOptions{})
		c.Timeout = 0 // else net/http's timer of a panicking Transport runs on
		var raised any
		func() {
			defer func() { raised = recover() }()
			_, _ = s.send(c, "https://example.com/api")
		}()
		require.Equalf(t, "round trip", raised, "%s: the panic goes on to the caller's recover", s.name)
		assert.Zerof(t, inFlight(c), "%s", s.name)
	}
}
