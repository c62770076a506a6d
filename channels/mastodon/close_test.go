package mastodon

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/holdtest"
)

// Close ends a Send whose status the instance has and does not answer,
// at once rather than at the client's timeout: the Send fails with
// ErrClosed, permanent (the Channel will not post again) and Uncertain
// (the status may have been made). A Send after Close posts nothing and
// fails the same way, not Uncertain; Close again does nothing.
func TestCloseEndsSendInFlight(t *testing.T) {
	f := newFakeMastodon(t)
	hold := holdtest.New(t)
	fake := f.Config.Handler
	f.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			fake.ServeHTTP(w, r)
			return
		}
		hold.ServeHTTP(w, r)
	})
	ch := newTestChannel(t, f)

	m := broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating})
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), m)
		done <- err
	}()
	<-hold.Arrived()
	require.NoError(t, ch.Close())
	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Truef(t, broadcast.IsUncertain(err), "IsUncertain(%q): the instance had the status", err)

	require.NoError(t, ch.Close(), "Close again")
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "u", Status: broadcast.StatusInvestigating}))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): nothing was posted", err)
	assert.Equal(t, 1, hold.Got(), "posts")
}
