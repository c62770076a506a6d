package dispatch

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRiver stands in for River's client in Start and Stop. Its Start
// pings the database, which does not answer, until its ctx ends, as
// River's first ping of a database whose host drops the packets does
// (for as long as the connection string's connect_timeout, when it has
// one). Its Stop and StopAndCancel wait for its jobs, which end only
// when release is closed, within their ctx.
type fakeRiver struct {
	pinging chan struct{} // closed once Start pings
	pinged  chan error    // what ended the ping
	release chan struct{}
	stopped chan struct{}
}

func newFakeRiver() *fakeRiver {
	return &fakeRiver{pinging: make(chan struct{}), pinged: make(chan error, 1), release: make(chan struct{}),
		stopped: make(chan struct{})}
}

func (f *fakeRiver) Start(ctx context.Context) error {
	close(f.pinging)
	<-ctx.Done()
	f.pinged <- ctx.Err()
	return ctx.Err()
}

func (f *fakeRiver) Stop(ctx context.Context) error { return f.wait(ctx) }

func (f *fakeRiver) StopAndCancel(ctx context.Context) error { return f.wait(ctx) }

func (f *fakeRiver) wait(ctx context.Context) error {
	select {
	case <-f.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeRiver) Stopped() <-chan struct{} { return f.stopped }

// fakeDispatcher is a Dispatcher whose River is f, on a database that
// passes Start's checks.
func fakeDispatcher(t *testing.T, f *fakeRiver) *Dispatcher {
	t.Helper()
	d, _ := failingDispatcher(t)
	d.river = f
	d.checkDB = func(context.Context) error { return nil }
	return d
}

// Stop called while Start's River pings the database for the first time
// ends that ping, and Start, at once: Start fails with ErrStopped, and
// Stop returns. Before, River's Start ran by Start's own ctx, which Stop
// could not end: Stop waited for the ping (as long as the database's
// connect timeout, or for ever without one), and Start then failed with
// the ping's error.
func TestStopEndsRiversFirstPing(t *testing.T) {
	f := newFakeRiver()
	close(f.release) // no job runs
	d := fakeDispatcher(t, f)
	// The ping's bound: the database's connect timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- d.Start(ctx) }()
	<-f.pinging
	require.NoError(t, d.Stop(context.Background()))
	assert.ErrorIs(t, <-f.pinged, context.Canceled, "the ping was ended by Stop, not by its timeout")
	err := <-started
	require.ErrorIs(t, err, ErrStopped)
	assert.EqualError(t, err, "dispatch: start: dispatch: stopped before the workers started")
}
