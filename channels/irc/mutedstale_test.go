package irc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// asked returns the MODE and NAMES lines among lines.
func asked(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "MODE ") || strings.HasPrefix(l, "NAMES ") {
			out = append(out, l)
		}
	}
	return out
}

// What a kept connection believes of a channel from before a Send (a
// relayed MODE, an earlier Send's answers) may be stale: the server may
// change a channel's modes without relaying them, or the bot miss or
// misread a relay. A channel believed muted (moderated, the bot without
// voice) from such a belief is asked again (MODE, and NAMES while the
// voice is what mutes it) before the lines: it fails for good only on
// the answer, and is delivered when the answer says it takes the lines.
func TestNoticeMutedBeliefAskedAgain(t *testing.T) {
	tests := []struct {
		name  string
		opts  fakeOptions
		first string // the change relayed after the first Send; "" none
		quiet string // the change not relayed, after it
		want  []string
	}{
		// The first Send failed #ops (moderated, no voice); the bot
		// was voiced since without a word.
		{name: "voiced unrelayed", opts: fakeOptions{modes: map[string]string{"#ops": "m"}},
			quiet: "+v statusbot", want: []string{"MODE #ops", "NAMES #ops"}},
		// +m relayed, then -m not: the channel takes the lines; NAMES
		// is not needed once MODE says so.
		{name: "unmoderated unrelayed", opts: fakeOptions{},
			first: "+m", quiet: "-m", want: []string{"MODE #ops"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = true
			cfg.Persistent = true
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.NoError(t, err)
			if tt.first != "" {
				srv.setMode("#ops", tt.first)
			}
			srv.setModeQuietly("#ops", tt.quiet)
			before := len(srv.received())
			m := message(secondUpdate())
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, "#status,#ops", r.Meta["channels"], "#ops takes the lines")
			sent := srv.received()[before:]
			assert.NotEmpty(t, noticesTo(sent, "#ops"))
			assert.Equal(t, tt.want, asked(sent))
		})
	}
}

// A belief of a muted channel asked again and confirmed fails the
// channel for good, no line sent to it.
func TestNoticeMutedBeliefConfirmed(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "m"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.Notice = true
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	before := len(srv.received())
	m := message(secondUpdate())
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#status", r.Meta["channels"])
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done)
	assert.Contains(t, failure, "irc: send to #ops: the channel is moderated (+m) and the bot has no voice (+v)")
	sent := srv.received()[before:]
	assert.Empty(t, noticesTo(sent, "#ops"))
	assert.Equal(t, []string{"MODE #ops", "NAMES #ops"}, asked(sent))
}
