package irc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Solanum limits how many channels a client that is neither opped nor
// voiced may message: 10 after connecting, 4 for a host that exceeded it
// before, one more a minute. Past that, it drops the line and answers 707
// (ERR_TARGCHANGE, doc/features/tgchange.txt), which the PONG that follows
// does not undo: the channel did not get the update, and is left for a
// later attempt, after the rate limit's wait.
func TestTargetChangeLimit(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "t"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	for _, notice := range []bool{false, true} {
		cfg.Notice = notice
		ch := newChannel(t, cfg)
		m := message(sampleUpdate())
		_, err := ch.Send(context.Background(), m)
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err))
		var te *broadcast.TargetsError
		require.True(t, errors.As(err, &te), "%q", err)
		require.Len(t, te.Pending, 1)
		assert.Equal(t, "#ops", te.Pending[0].Target)
		assert.Contains(t, te.Pending[0].Err.Error(), "irc: send to #ops: 707 Targets changing too fast, message dropped")
		re, ok := replyError(err)
		require.True(t, ok)
		assert.Equal(t, "707", re.Code)
		d, hinted := broadcast.RetryDelay(err)
		assert.True(t, hinted, "a rate limit: %q", err)
		assert.Equal(t, httpx.RateLimitWait, d)
		done, failure := m.Ledger.Done("#ops")
		assert.False(t, done, "#ops did not get the update (%s)", failure)
		done, _ = m.Ledger.Done("#status")
		assert.True(t, done)
	}
	assert.Empty(t, srv.saidIn("#ops"))
	assert.NotEmpty(t, srv.saidIn("#status"))
}

// A server that refuses a connection as soon as it is made writes an ERROR
// line with its reason and closes, before it reads a line: the bot's
// registration lines then fail to write ("broken pipe"), and the error
// gives the server's reason, not that. (ngIRCd's words for a host with
// more connections than MaxConnectionsIP, src/ngircd/conn.c.)
func TestServerClosesAtOnce(t *testing.T) {
	const reason = "Connection refused, too many connections from your IP address"
	srv := newFakeServer(t, fakeOptions{refuse: reason})
	ch := newChannel(t, testConfig(srv.addr()))
	for range 5 { // the write fails at a different line each time, or not at all
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.Error(t, err)
		assert.Equal(t, "irc: connection closed by the server: "+reason, err.Error())
		assert.False(t, broadcast.IsPermanent(err))
		err = ch.Check(context.Background())
		require.Error(t, err)
		assert.Equal(t, "irc: connection closed by the server: "+reason, err.Error())
	}
}
