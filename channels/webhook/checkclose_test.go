package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Check connects to the endpoints without a request, and so outside
// httpx's Do: Close ends a Check under way all the same (its dial here),
// at once, and a Check after Close connects to nothing. Both fail with
// ErrClosed, permanent and not Uncertain: a check posts nothing.
func TestCloseEndsCheck(t *testing.T) {
	var dials atomic.Int32
	dialling, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	defer letGo()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		dials.Add(1)
		select {
		case dialling <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-release:
			return nil, errors.New("no connection")
		}
	}}
	ch := newCheckChannel(t, &http.Client{Transport: tr}, "http://hooks.example.com/in")

	done := make(chan error, 1)
	go func() { done <- ch.Check(context.Background()) }()
	<-dialling
	require.NoError(t, ch.Close())
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		// Not ended by Close: the dial fails, rather than hang the test.
		letGo()
		err = <-done
	}
	assertCheckClosed(t, err)

	n := dials.Load()
	assertCheckClosed(t, ch.Check(context.Background()))
	assert.Equal(t, n, dials.Load(), "dials of a Check after Close")
}

func assertCheckClosed(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): a check posts nothing", err)
}
