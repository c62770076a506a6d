package irc_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// afterFirst is an onLine of the fake server that relays the first line to
// a channel and answers the second with answer (%n the nick, %c the
// channel), which a later line gets too; relayOnly, the first line is
// relayed and answered so, as a flood bot kicks after seeing it.
func afterFirst(answer string, relayOnly bool) func(nick, command, channel, text string) (bool, []string, []string) {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(nick, command, channel, text string) (bool, []string, []string) {
		mu.Lock()
		defer mu.Unlock()
		seen[channel]++
		line := strings.NewReplacer("%n", nick, "%c", channel).Replace(answer)
		switch {
		case relayOnly && seen[channel] == 1:
			return true, nil, []string{line}
		case relayOnly || seen[channel] == 1:
			return true, nil, nil
		}
		return false, []string{line}, nil
	}
}

// pendingErr is the error of target in err's *broadcast.TargetsError.
func pendingErr(t *testing.T, err error, target string) error {
	t.Helper()
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	for _, p := range te.Pending {
		if p.Target == target {
			return p.Err
		}
	}
	t.Fatalf("%s not pending: %v", target, err)
	return nil
}

// A rate limit of a channel (a KICK, a 707, a flood notice) that comes
// after the server relayed a line of it leaves the channel pending with a
// RetryAfter error, which alone says that nothing was posted (see
// broadcast.Channel): it is Uncertain too, as a refusal for good after
// lines is. Without echo-message a KICK, which answers no line, may follow
// the only line written, relayed.
func TestRateLimitAfterRelayedLinesIsUncertain(t *testing.T) {
	long := strings.Repeat("We are investigating elevated error rates. ", 12)
	for _, tc := range []struct {
		name      string
		answer    string
		relayOnly bool
	}{
		{"KICK", ":floodbot!bot@fake.test KICK %c %n :Flooding", false},
		{"KICK after the only line", ":floodbot!bot@fake.test KICK %c %n :Flooding", true},
		{"PART", ":%n!statusbot@127.0.0.1 PART %c :requested by floodbot", false},
		{"707", ":fake.test 707 %n %c :Targets changing too fast, message dropped", false},
		{"flood notice", ":fake.test NOTICE %n :*** Message to %c throttled due to flooding", false},
		{"UnrealIRCd's flooded 404", ":fake.test 404 %n %c :Channel is being flooded. Message not delivered.", false},
	} {
		for _, echo := range []bool{false, true} {
			name := tc.name
			if echo {
				name += ", echo-message"
			}
			t.Run(name, func(t *testing.T) {
				srv := newFakeServer(t, fakeOptions{echoMessage: echo, onLine: afterFirst(tc.answer, tc.relayOnly)})
				u := sampleUpdate()
				if !tc.relayOnly {
					u.Body = long
				}
				_, err := newChannel(t, testConfig(srv.addr())).Send(context.Background(), message(u))
				require.Error(t, err)
				require.Len(t, srv.saidIn("#ops"), 1, "the first line was relayed")
				pending := pendingErr(t, err, "#ops")
				_, waits := broadcast.RetryDelay(pending)
				assert.True(t, waits, "a rate limit: %v", pending)
				assert.True(t, broadcast.IsUncertain(pending), "a line was relayed: %v", pending)
			})
		}
	}
}

// The connection's end after lines of a channel not yet delivered went out
// ("Excess Flood", a ban, or a connection lost after another channel's
// rate limit, whose wait the error keeps) fails Send with a RetryAfter or
// Permanent error, which alone says that nothing was posted: it is
// Uncertain too.
func TestConnectionEndAfterRelayedLinesIsUncertain(t *testing.T) {
	long := strings.Repeat("We are investigating elevated error rates. ", 12)
	for _, tc := range []struct {
		name      string
		opts      func() fakeOptions
		permanent bool
	}{
		{name: "Excess Flood", opts: func() fakeOptions {
			return fakeOptions{onLine: afterFirst("ERROR :Closing Link: statusbot[127.0.0.1] (Excess Flood)", false)}
		}},
		{name: "K-Line", opts: func() fakeOptions {
			return fakeOptions{onLine: afterFirst("ERROR :Closing Link: statusbot[127.0.0.1] (K-Lined: Spamming)", false)}
		}, permanent: true},
		{name: "lost after a 707", opts: func() fakeOptions {
			return fakeOptions{modes: map[string]string{"#a": "t"}, dropAfter: map[string]int{"#ops": 1}}
		}},
	} {
		for _, echo := range []bool{false, true} {
			name := tc.name
			if echo {
				name += ", echo-message"
			}
			t.Run(name, func(t *testing.T) {
				opts := tc.opts()
				opts.echoMessage = echo
				srv := newFakeServer(t, opts)
				cfg := testConfig(srv.addr())
				if opts.modes != nil {
					cfg.Channels = []string{"#a", "#ops"}
				}
				u := sampleUpdate()
				u.Body = long
				_, err := newChannel(t, cfg).Send(context.Background(), message(u))
				require.Error(t, err)
				require.Len(t, srv.saidIn("#ops"), 1, "the first line was relayed")
				_, waits := broadcast.RetryDelay(err)
				assert.Equal(t, tc.permanent, broadcast.IsPermanent(err), "%v", err)
				assert.Equal(t, !tc.permanent, waits, "%v", err)
				assert.True(t, broadcast.IsUncertain(err), "a line was relayed: %v", err)
			})
		}
	}
}

// attemptsSeen records the Message.Attempt of each Send of the channel it
// wraps.
type attemptsSeen struct {
	*irc.Channel
	mu   sync.Mutex
	seen []int
}

func (a *attemptsSeen) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	a.mu.Lock()
	a.seen = append(a.seen, m.Attempt)
	a.mu.Unlock()
	return a.Channel.Send(ctx, m)
}

func (a *attemptsSeen) Unwrap() broadcast.Channel { return a.Channel }

// Through a Broadcaster, a rate limit after a relayed line still waits the
// 30 s it asks for (here more than RetryPolicy.MaxElapsed leaves, so the
// delivery gives up after one attempt rather than retry sooner), and,
// Uncertain, is no definite answer: the next Send of the update counts
// that attempt as one whose outcome is unknown (Message.Attempt 2).
func TestBroadcasterWaitsRateLimitAfterRelayedLines(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{onLine: afterFirst(":floodbot!bot@fake.test KICK %c %n :Flooding", false)})
	ch := &attemptsSeen{Channel: newChannel(t, testConfig(srv.addr()))}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxElapsed: 10 * time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := sampleUpdate()
	u.Body = strings.Repeat("We are investigating elevated error rates. ", 12)

	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts, "not retried before the rate limit's wait")
	assert.Contains(t, res.Err.Error(), "would start after 30s")
	var de *broadcast.DeliveryError
	assert.False(t, errors.As(err, &de) && broadcast.IsPermanent(de.Err), "%v", err)

	_, _ = b.Send(context.Background(), u)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	require.GreaterOrEqual(t, len(ch.seen), 2)
	assert.Equal(t, []int{1, 2}, ch.seen[:2], "the first attempt's outcome is unknown: a line was relayed")
}
