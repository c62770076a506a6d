package irc_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A connection lost in the middle of a channel's lines, after the server
// echoed the first of them (IRCv3 echo-message: the server echoes a line
// as it relays it), does not make the retry post those again: Send records
// each echoed line as progress of the channel (Fanout.MarkProgress, named
// by the line's text, so that lines split otherwise on the retry do not
// count), and the next attempt posts the rest. The channel's members see
// every line once, in order. Lines are no targets: the Broadcaster's
// Result.Delivered lists the IRC channel only.
func TestPartialRelayResendsOnlyTheRest(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, dropAfter: map[string]int{"#ops": 2}})
	cfg := testConfig(srv.addr())
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	var body []string
	for i := range 60 {
		body = append(body, fmt.Sprintf("Region %d is draining traffic to its neighbours.", i+1))
	}
	u.Body = strings.Join(body, " ") // no two lines alike
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.Equal(t, 2, res.Attempts, "the connection was lost once")
	said := srv.saidIn("#ops")
	require.Len(t, said, 5)
	seen := map[string]bool{}
	for _, line := range said {
		assert.False(t, seen[line], "posted twice: %q", line)
		seen[line] = true
	}
	assert.True(t, strings.HasPrefix(said[0], "Investigating: Elevated CDN errors"), "in order: %q", said)
	assert.Equal(t, u.URL, said[4][strings.LastIndex(said[4], " ")+1:], "in order: %q", said)
	assert.Equal(t, []string{"#ops"}, res.Delivered, "the channel, not its lines")
}

// lineReads is a Store that counts the reads of the marks of single lines
// (see TestPartialRelayResendsOnlyTheRest): their keys name the line ("line
// 2/5 …"), which no IRC channel name does (it holds no space, RFC 2812
// section 1.3).
type lineReads struct {
	*broadcast.MemoryStore
	n atomic.Int64
}

func (s *lineReads) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	if strings.Contains(target, "line ") {
		s.n.Add(1)
	}
	return s.MemoryStore.Done(ctx, updateID, channel, target)
}

// Only a server that echoes the bot's lines (IRCv3 echo-message) lets Send
// mark single lines as relayed, so only there does Send read those marks:
// on one without it (ngIRCd, say) a Send reads the Store once per IRC
// channel, not once per line and channel, which with a shared Store
// (PostgreSQL) is a round trip each.
func TestLineMarksReadOnlyWhereLinesAreEchoed(t *testing.T) {
	for _, echo := range []bool{false, true} {
		t.Run(fmt.Sprintf("echo %v", echo), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{echoMessage: echo})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			ch := newChannel(t, cfg)
			store := &lineReads{MemoryStore: broadcast.NewMemoryStore()}
			b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store})
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })
			u := sampleUpdate()
			u.Body = strings.Repeat("Traffic is being drained from the affected region. ", 12)
			rep, err := b.Send(context.Background(), u)
			require.NoError(t, err)
			lines := len(srv.saidIn("#ops"))
			require.Greater(t, lines, 1)
			assert.Equal(t, []string{"#status", "#ops"}, rep.Results[0].Delivered)
			if echo {
				assert.Equal(t, int64(2*lines), store.n.Load(), "one read per line and channel")
				return
			}
			assert.Zero(t, store.n.Load())
		})
	}
}

// Without echo-message (ngIRCd), a line written before the connection
// broke is uncertain: the server says nothing of a line it relays (RFC
// 2812 section 3.3.1: only errors answer PRIVMSG), and the socket's write
// tells only that the local kernel took it. Nothing is recorded as
// relayed, so the retry posts every line: a line twice rather than a line
// lost. (Fanout.MarkProgress would let Send skip lines it knew relayed; it
// knows none here.)
func TestPartialRelayWithoutEchoPostsEveryLineAgain(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{dropAfter: map[string]int{"#ops": 2}})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.Body = strings.Repeat("Traffic is being drained from the affected region. ", 40)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Results[0].Attempts, "the connection was lost once")
	said := srv.saidIn("#ops")
	require.Len(t, said, 7, "2 relayed before the connection broke, then all 5")
	assert.Equal(t, said[:2], said[2:4], "the first two lines posted again")
}
