package webhook

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/holdtest"
	"github.com/outagecast/outagecast/redact"
)

// Close ends a Send whose endpoint has the post and does not answer, at
// once rather than at the request's timeout: the Send fails with
// ErrClosed, permanent (the Channel will not post again) and Uncertain
// (the endpoint may have taken it: the endpoint's failure says so), its
// endpoint pending, not failed for good (see broadcast.ErrChannelClosed).
// A Send after Close posts nothing and fails the same way, not Uncertain;
// Close again does nothing.
func TestCloseEndsSendInFlight(t *testing.T) {
	hold := holdtest.New(t)
	srv := hold.Serve(t)
	c, err := New(Config{Endpoints: []Endpoint{{URL: redact.NewURL(srv.URL + "/hook"), Secret: testSecret("close")}}})
	require.NoError(t, err)

	m := broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating})
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), m)
		done <- err
	}()
	<-hold.Arrived()
	require.NoError(t, c.Close())
	err = <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	var te *broadcast.TargetsError
	require.Truef(t, errors.As(err, &te) && len(te.Pending) == 1 && len(te.Failures) == 0, "%v", err)
	assert.Truef(t, broadcast.IsUncertain(te.Pending[0].Err), "IsUncertain(%q): the endpoint had the post",
		te.Pending[0].Err)

	require.NoError(t, c.Close(), "Close again")
	_, err = c.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "u", Status: broadcast.StatusInvestigating}))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	require.Truef(t, errors.As(err, &te) && len(te.Pending) == 1 && len(te.Failures) == 0, "%v", err)
	assert.Falsef(t, broadcast.IsUncertain(te.Pending[0].Err), "IsUncertain(%q): nothing was posted",
		te.Pending[0].Err)
	assert.Equal(t, 1, hold.Got(), "posts")
}
