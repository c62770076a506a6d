package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// IRC can neither edit nor delete a message. Broadcaster.Correct posts the
// correction as a new message, as the templates render a correction, and
// Retract fails with broadcast.ErrNotSupported, posting nothing.
func TestCorrectPostsAgainRetractNotSupported(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	_, editor := any(ch).(broadcast.Editor)
	_, retractor := any(ch).(broadcast.Retractor)
	assert.False(t, editor || retractor)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	_, err = b.Send(ctx, sampleUpdate())
	require.NoError(t, err)

	fixed := sampleUpdate()
	fixed.ID, fixed.Title = "u2", "Elevated CDN errors in Europe"
	_, err = b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	fixed.Corrects = "u1"
	p, err := ch.Preview(fixed)
	require.NoError(t, err)
	said := srv.saidIn("#ops")
	require.Len(t, said, 2, "the correction is a message of its own")
	assert.Equal(t, p.Text, said[1], "rendered as the templates render a correction")

	rep, err := b.Retract(ctx, "u1")
	require.ErrorIs(t, err, broadcast.ErrNotSupported)
	assert.ErrorIs(t, rep.Results[0].Err, broadcast.ErrNotSupported)
	assert.Len(t, srv.saidIn("#ops"), 2, "nothing posted")
	assert.Equal(t, 2, srv.connections(), "no connection for the retraction")
}
