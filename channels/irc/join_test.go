package irc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A JOIN the server never answers fails that channel alone, transiently,
// once Config.Timeout has passed since it was sent: the other channels get
// the lines, and a retry posts only to it.
func TestUnansweredJoinFailsThatChannel(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent", "#a", "#b"}
	cfg.Timeout = 300 * time.Millisecond
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "a *broadcast.TargetsError: %q", err)
	require.Len(t, te.Pending, 1)
	assert.Equal(t, "#silent", te.Pending[0].Target)
	assert.Contains(t, te.Pending[0].Err.Error(), "irc: join #silent: no answer from the server within 300ms")
	assert.Empty(t, te.Failures)
	for _, name := range []string{"#a", "#b"} {
		assert.Len(t, srv.saidIn(name), 1, name)
		done, _ := m.Ledger.Done(name)
		assert.True(t, done, name)
	}
	done, _ := m.Ledger.Done("#silent")
	assert.False(t, done, "#silent is left for a retry")
}

// The channels whose JOIN the server answered do not wait for one it does
// not answer: they get the lines while its wait (here an hour) goes on.
func TestUnansweredJoinDoesNotHoldTheOthers(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent", "#a", "#b"}
	cfg.Timeout = time.Hour
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, m)
		sent <- err
	}()
	posted := func() bool {
		a, _ := m.Ledger.Done("#a")
		b, _ := m.Ledger.Done("#b")
		return a && b
	}
	// The bound only keeps a broken Send from hanging the test.
	assert.Eventually(t, posted, 10*time.Second, 5*time.Millisecond, "#a and #b posted while #silent waits")
	cancel()
	require.ErrorIs(t, <-sent, context.Canceled)
	assert.Len(t, srv.saidIn("#a"), 1)
	assert.Len(t, srv.saidIn("#b"), 1)
}
