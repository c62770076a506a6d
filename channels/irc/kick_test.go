package irc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A KICK is no refusal for good: RFC 2812 section 3.2.8 only "forces" the
// user out, and RFC 2811 section 4.3 leaves a rejoin to the channel's
// modes: a ban (+b, 474), invite-only (+i, 473) or a key (+k, 475). A
// flood-protection bot kicks a bot that posts several lines at once. The
// channel is pending, after the wait of a rate limit (a rejoin at the
// Broadcaster's first backoff step would look like the flood it was kicked
// for); the next attempt rejoins and posts, unless the JOIN is then
// refused, which is for good.
func TestKickIsTransient(t *testing.T) {
	tests := []struct {
		name      string
		kick      string // fakeOptions.kicks
		permanent string // "": the retry posts; else the retry's error for #ops
	}{
		{name: "kicked", kick: "kick"},
		{name: "kicked and banned", kick: "ban", permanent: "join #ops: 474"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{kicks: map[string]string{"#ops": tt.kick}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())

			_, err := ch.Send(context.Background(), m)
			assertOpsRateLimited(t, err, m, "irc: send to #ops: KICK Flooding")
			assert.Empty(t, srv.saidIn("#ops"))
			re, ok := replyError(err)
			require.True(t, ok, "a *irc.ReplyError in %q", err)
			assert.Equal(t, "KICK", re.Code)

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			assert.Len(t, srv.saidIn("#status"), 1, "not posted again")
			if tt.permanent == "" {
				require.NoError(t, err)
				assert.Equal(t, "#ops", r.Meta["channels"])
				assert.Len(t, srv.saidIn("#ops"), 1)
				return
			}
			require.NoError(t, err, "#status got the update")
			assert.Equal(t, "#ops", r.Meta["failed"])
			done, failure := m.Ledger.Done("#ops")
			assert.True(t, done)
			assert.Contains(t, failure, tt.permanent)
			assert.Empty(t, srv.saidIn("#ops"))
		})
	}
}

// A KICK that arrives while a line waits for the pacing stops the lines
// to that channel before that one: sent after the KICK, it would reach
// the channel all the same where it takes messages from outside (-n),
// and the retry posts it again. The interval leaves the KICK, sent at
// the first line, ample time to arrive.
func TestKickStopsTheLinesWaitingForThePacing(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{kicks: map[string]string{"#ops": "kick"}})
	cfg := testConfig(srv.addr())
	cfg.Burst, cfg.Interval, cfg.MaxLines = 2, 500*time.Millisecond, 3
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = strings.Repeat("Error rates are elevated on the CDN in every region. ", 40)

	_, err := ch.Send(context.Background(), message(u))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "KICK")
	assert.Len(t, srv.commands("PRIVMSG"), 1, "no line after the KICK")
}

// A channel operator's REMOVE (Solanum, charybdis) is a kick that the bot
// sees as its own PART: no refusal for good either. The lines that went
// out before the PART arrived get 404 (cannot send to channel, as to a
// client not in it), which must not fail the channel for good: the next
// attempt rejoins and posts.
func TestRemoveIsTransient(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{kicks: map[string]string{"#ops": "remove"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.MaxLines = 3
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = strings.Repeat("Error rates are elevated on the CDN in every region. ", 40)
	m := message(u)

	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: send to #ops: PART requested by floodbot")
	assert.Empty(t, srv.saidIn("#ops"))

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#ops", r.Meta["channels"])
	assert.Len(t, srv.saidIn("#ops"), 3)
}
