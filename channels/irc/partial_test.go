package irc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

const channelKey = "key-Secret-9d41"

// Channels refused for good do not fail a Send that reached others: they
// are marked failed in the Ledger, with an error naming the channel and the
// numeric but not the key.
func TestSendPartialSuccess(t *testing.T) {
	tests := []struct {
		name      string
		channels  []string
		earlier   []string // marked delivered before the Send
		wantErr   string   // "" success
		delivered []string
	}{
		{name: "one refused, two delivered", channels: []string{"#a", "#keyed " + channelKey, "#b"},
			delivered: []string{"#a", "#b"}},
		{name: "refused now, delivered earlier", channels: []string{"#a", "#keyed " + channelKey},
			earlier: []string{"#a"}, delivered: []string{"#a"}},
		{name: "every channel refused", channels: []string{"#keyed " + channelKey, "#closed"},
			wantErr: "join #keyed: 475"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{keys: map[string]string{"#keyed": "sesame"},
				modes: map[string]string{"#closed": "i"}})
			cfg := testConfig(srv.addr())
			cfg.Channels = tt.channels
			ch := newChannel(t, cfg)
			ledger := channeltest.NewLedger()
			for _, c := range tt.earlier {
				require.NoError(t, ledger.MarkDelivered(c))
			}
			m := message(sampleUpdate())
			m.Ledger = ledger

			r, err := ch.Send(context.Background(), m)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), channelKey)
				assert.True(t, broadcast.IsPermanent(err))
				var te *broadcast.TargetsError
				require.ErrorAs(t, err, &te, "the error of broadcast.Fanout")
				assert.Len(t, te.Failures, 2)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "#keyed", r.Meta["failed"])
			}
			assert.Equal(t, tt.delivered, ledger.Delivered())
			failed := ledger.Failed()
			require.Contains(t, failed, "#keyed")
			assert.Contains(t, failed["#keyed"].Error(), "irc: join #keyed: 475")
			assert.NotContains(t, failed["#keyed"].Error(), channelKey)
			var re *irc.ReplyError
			require.ErrorAs(t, failed["#keyed"], &re)
			assert.Equal(t, "475", re.Code)
		})
	}
}

// A channel the server cannot take right now (437) is pending: Send fails
// transiently naming it, the others are marked delivered, and the retry
// posts to it alone.
func TestSendPendingChannelRetried(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	srv.FailTarget("#b", channeltest.FailTransient)
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#b"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	p := onePending(t, err, "#b")
	assert.Contains(t, p.Err.Error(), "join #b: 437")

	srv.FailTarget("#b", channeltest.FailNone)
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#b", r.Meta["channels"])
	assert.Len(t, srv.saidIn("#a"), 1)
	assert.Len(t, srv.saidIn("#b"), 1)
}

// A JOIN refused with an error numeric RFC 2812 does not list (Solanum's
// 480 join throttle, ircd/messages.h, a rate limit, or its 470 forward, of
// unknown meaning here) refuses that channel, transiently: the others are
// posted to at once rather than all waiting for an answer about it that
// never comes.
func TestSendJoinRefusedWithUnknownNumeric(t *testing.T) {
	srv, ledger, _, err := sendJoinRefused(t, "#throttled", "480 Cannot join channel (+j) - throttle exceeded, try again later",
		"#a", "#throttled")
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	p := onePending(t, err, "#throttled")
	assert.Contains(t, p.Err.Error(), "join #throttled: 480 Cannot join channel (+j)")
	var re *irc.ReplyError
	require.ErrorAs(t, p.Err, &re)
	assert.Equal(t, "480", re.Code)
	assert.Len(t, srv.saidIn("#a"), 1)
	assert.Equal(t, []string{"#a"}, ledger.Delivered())
}

// A JOIN refused because the server does not take the channel's name, or
// its operators forbade the channel, refuses that channel for good, by
// name: no retry changes that. The other channels get the lines, and the
// Send succeeds. 479, ERR_BADCHANNAME ("Illegal channel name"), is
// Solanum's, charybdis's, ratbox's and Hybrid's, for a name they do not
// take or a channel reserved (RESV); 448, ERR_FORBIDDENCHANNEL, is
// UnrealIRCd's for a deny channel block; InspIRCd's denychans and cban
// answer 926, ERR_BADCHANNEL, outside the error numerics: without it the
// JOIN counted as unanswered and the channel was retried.
func TestSendJoinRefusedChannelForbidden(t *testing.T) {
	for _, reply := range []string{
		"479 Illegal channel name",
		"448 Cannot join channel: This channel is reserved",
		"926 Channel #bad is forbidden: This channel is reserved",
	} {
		code, text, _ := strings.Cut(reply, " ")
		t.Run(code, func(t *testing.T) {
			srv, ledger, r, err := sendJoinRefused(t, "#bad", reply, "#a", "#bad", "#b")
			require.NoError(t, err)
			assert.Equal(t, "#bad", r.Meta["failed"])
			assert.Equal(t, []string{"#a", "#b"}, ledger.Delivered())
			failed := ledger.Failed()
			require.Contains(t, failed, "#bad")
			assert.True(t, broadcast.IsPermanent(failed["#bad"]), "IsPermanent(%q)", failed["#bad"])
			assert.Contains(t, failed["#bad"].Error(), "irc: join #bad: "+code+" "+text)
			var re *irc.ReplyError
			require.ErrorAs(t, failed["#bad"], &re)
			assert.Equal(t, code, re.Code)
			assert.Len(t, srv.saidIn("#a"), 1)
			assert.Len(t, srv.saidIn("#b"), 1)
			assert.Empty(t, srv.saidIn("#bad"))
		})
	}
}

// sendJoinRefused sends an update to channels on a fake server that
// answers a JOIN of refused with reply, within 10s and with a Timeout
// longer than that, so that a JOIN counted as unanswered fails the test.
func sendJoinRefused(t *testing.T, refused, reply string, channels ...string) (*fakeServer, *channeltest.Ledger, broadcast.Receipt, error) {
	t.Helper()
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{refused: reply}})
	cfg := testConfig(srv.addr())
	cfg.Channels = channels
	cfg.Timeout = time.Minute // longer than the test's own deadline
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	ledger := channeltest.NewLedger()
	m.Ledger = ledger
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := ch.Send(ctx, m)
	return srv, ledger, r, err
}

// Through a Broadcaster, a partly refused Send is a delivery (receipt and
// mark saved) whose Result lists the refused channel.
func TestBroadcasterReportsRefusedChannel(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{keys: map[string]string{"#keyed": "sesame"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#keyed " + channelKey}
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rep, err := b.Send(context.Background(), sampleUpdate())
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts, "no retry resends to #a")
	var te *broadcast.TargetsError
	require.ErrorAs(t, res.Err, &te)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "#keyed", res.Failures[0].Target)
	assert.Contains(t, res.Failures[0].Err.Error(), "join #keyed: 475")
	assert.NotContains(t, err.Error(), channelKey)
	assert.Equal(t, "#a", res.Receipt.Meta["channels"])
	done, _, err := store.Done(context.Background(), "u1", "irc", "")
	require.NoError(t, err)
	assert.True(t, done, "the update is marked delivered")
	assert.Len(t, srv.saidIn("#a"), 1)
}

// A channel refused in one attempt, beside a transient failure, and the
// others refused in the next (a Job's second run): no channel ever got the
// lines, and the run fails permanently naming both, the earlier refusal
// with the reason the Ledger recorded.
func TestRefusedOverTwoAttempts(t *testing.T) {
	const earlier = "irc: join #keyed: 475 Cannot join channel (+k)"
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#closed": "i"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#keyed", "#closed"}
	ch := newChannel(t, cfg)
	store := broadcast.NewMemoryStore()
	require.NoError(t, store.Mark(context.Background(), "u1", "irc", "#keyed", errors.New(earlier)))
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	jobs, err := b.Jobs(broadcast.JobSend, sampleUpdate(), "")
	require.NoError(t, err)
	res := b.RunJob(context.Background(), jobs[0], 2)
	require.Error(t, res.Err)
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.Contains(t, res.Err.Error(), "join #closed: 473")
	assert.Contains(t, res.Err.Error(), "failed in an earlier attempt: "+earlier)
	assert.Equal(t, 2, res.Attempts)
	assert.Empty(t, srv.saidIn("#keyed"))
	assert.Equal(t, []string{"JOIN #closed"}, srv.commands("JOIN"), "#keyed is not tried again")
}

// A ctx deadline too short for the pacing fails the Send before it
// connects, rather than midway with lines already posted.
func TestSendDeadlineTooShortForPacing(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		channels int
		deadline time.Duration
		sasl     bool
		oneLine  bool   // the sample update, else five lines
		wantErr  string // "" success
		pacing   time.Duration
		setup    time.Duration // allowed for connecting and registering, every step of it
	}{
		{name: "defaults, too short for one channel", interval: 2 * time.Second, channels: 3, deadline: 8 * time.Second,
			wantErr: "need about 34s plus 6s to connect and register", pacing: 34 * time.Second, setup: 6 * time.Second},
		{name: "with SASL, the nick taken back too", interval: 2 * time.Second, channels: 3, deadline: 8 * time.Second, sasl: true,
			wantErr: "need about 34s plus 9s to connect and register", pacing: 34 * time.Second, setup: 9 * time.Second},
		{name: "short interval, too short a deadline", interval: 50 * time.Millisecond, channels: 3,
			deadline: 2 * time.Second, wantErr: "need about 850ms", pacing: 850 * time.Millisecond, setup: 6 * time.Second},
		{name: "short interval, deadline enough", interval: 50 * time.Millisecond, channels: 3,
			deadline: 10 * time.Second},
		// A later attempt may register without a detour: only what not
		// even that leaves time for fails for good.
		{name: "one channel, time for a quick registration only", interval: time.Second, channels: 1,
			deadline: 7500 * time.Millisecond}, // pacing 3s: 6s with a quick registration, 9s with every step
		{name: "within the burst, any deadline", interval: 2 * time.Second, channels: 1, oneLine: true,
			deadline: time.Second, wantErr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fakeOptions{}
			if tt.sasl {
				opts.sasl = map[string]string{"acct": saslPassword}
			}
			srv := newFakeServer(t, opts)
			cfg := testConfig(srv.addr())
			if tt.sasl {
				cfg.SASLUser, cfg.SASLPassword = "acct", redact.NewSecret(saslPassword)
			}
			cfg.Interval = tt.interval
			cfg.Channels = []string{"#a", "#b", "#c"}[:tt.channels]
			u := sampleUpdate()
			if !tt.oneLine {
				u.Body = strings.Repeat("Traffic is being drained from the affected region. ", 40)
			}
			ch := newChannel(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
			defer cancel()

			_, err := ch.Send(ctx, message(u))
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "a retry would have no more time")
			assert.False(t, errors.Is(err, context.DeadlineExceeded))
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), "5 lines to each of 3 channels")
			for _, setting := range []string{"AttemptTimeout", "Config.MaxLines", "Config.Channels", "Config.Burst", "Config.Interval"} {
				assert.Contains(t, err.Error(), setting)
			}
			var pe *irc.PacingError
			require.ErrorAs(t, err, &pe, "a program can explain it in its own terms")
			assert.Equal(t, 5, pe.Lines)
			assert.Equal(t, 3, pe.Channels)
			assert.Equal(t, tt.pacing, pe.Pacing)
			assert.Equal(t, tt.pacing+tt.setup, pe.Need)
			assert.LessOrEqual(t, pe.Left, tt.deadline)
			assert.Less(t, pe.Left, pe.Need)
			assert.Equal(t, 0, srv.connections(), "nothing posted")
		})
	}
}

// A deadline that leaves time for the lines to some of the channels only
// (the defaults' 30s attempt with three channels of five lines) posts to
// those, and leaves the others, untouched, for the next attempt, which
// reaches only them: none is cut short, so none is posted twice.
func TestSendPostsToTheChannelsThatFitAndLeavesTheRest(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	// The pacing of n channels is ((5 lines + 2) × n − 13 of burst) × 1s,
	// plus 6s allowed to connect and register: two fit in 7s, three need
	// 14s. The decision is made against the clock, so the deadline sits
	// well inside that gap: a loaded machine may take seconds to get a
	// Send to it, and still two fit and three do not. The big burst keeps
	// the wait for the pacing itself short.
	cfg.Burst, cfg.Interval = 13, time.Second
	cfg.Channels = []string{"#a", "#b", "#c"}
	u := sampleUpdate()
	u.Body = strings.Repeat("Traffic is being drained from the affected region. ", 40)
	ch := newChannel(t, cfg)
	m := message(u)
	ledger := channeltest.NewLedger()
	m.Ledger = ledger

	const deadline = 13500 * time.Millisecond // two fit: 7s; three: 14s
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "the next attempt posts to the rest")
	p := onePending(t, err, "#c")
	assert.Contains(t, p.Err.Error(), "pacing: left for the next attempt")
	assert.Len(t, srv.saidIn("#a"), 5)
	assert.Len(t, srv.saidIn("#b"), 5)
	assert.Empty(t, srv.saidIn("#c"))
	assert.Equal(t, []string{"JOIN #a", "JOIN #b"}, srv.commands("JOIN"), "#c not even joined")

	ctx2, cancel2 := context.WithTimeout(context.Background(), deadline)
	defer cancel2()
	r, err := ch.Send(ctx2, m)
	require.NoError(t, err)
	assert.Len(t, srv.saidIn("#a"), 5, "not again")
	assert.Len(t, srv.saidIn("#c"), 5)
	assert.Equal(t, "#c", r.Meta["channels"], "posted by this attempt")

	// Through a Broadcaster, whose attempts each have AttemptTimeout: one
	// Send, two attempts, every channel posted once.
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{AttemptTimeout: deadline,
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	defer b.Close()
	u.Title = "Elevated CDN errors, second update"
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Results[0].Attempts)
	for _, name := range cfg.Channels {
		assert.Len(t, srv.saidIn(name), 10, name)
	}
}

// On a kept connection the check counts the burst the previous Send left:
// a Send right after another would wait for its lines, so a deadline that
// a full burst would not need fails it before it sends anything. Not for
// good: the burst comes back with time, and the error asks the next
// attempt to wait for it.
func TestSendDeadlineCountsWhatThePreviousSendUsed(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	cfg.Interval = time.Hour // no token comes back during the test
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err, "JOIN, one line, PING: three of the four tokens")
	require.Len(t, srv.commands("PING"), 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = ch.Send(ctx, message(sampleUpdate()))
	var pe *irc.PacingError
	require.ErrorAs(t, err, &pe)
	assert.False(t, broadcast.IsPermanent(err), "with its burst back, the connection posts at once")
	wait, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "the next attempt waits for the burst: %v", err)
	assert.Greater(t, wait, 2*time.Hour, "three tokens, an hour each")
	assert.LessOrEqual(t, wait, 3*time.Hour)
	assert.Greater(t, pe.Pacing, 2*time.Hour, "three of the four lines wait an hour each")
	assert.Len(t, srv.commands("PING"), 1, "not even the check of the kept connection was sent")
	assert.Len(t, srv.saidIn("#ops"), 1)
}

// Two updates in a row through a Broadcaster on a persistent connection:
// the second finds the burst spent by the first, and its attempt too short
// for the pacing without it, but a full burst posts it at once. It is
// retried once the burst is back, not given up.
func TestSecondUpdateWaitsForTheBurst(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	cfg.Interval = time.Second // three spent tokens: 3s of pacing, and 3s to connect, over the 5s attempt
	ch := newChannel(t, cfg)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{AttemptTimeout: 5 * time.Second,
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	defer b.Close()

	first := sampleUpdate()
	_, err = b.Send(context.Background(), first)
	require.NoError(t, err)
	second := sampleUpdate()
	second.ID, second.Time = "u2", first.Time.Add(time.Minute)
	second.Status, second.Title = broadcast.StatusIdentified, "Faulty CDN configuration"
	rep, err := b.Send(context.Background(), second)
	require.NoError(t, err, "posted once the burst is back")
	assert.Equal(t, 2, rep.Results[0].Attempts)
	assert.Len(t, srv.saidIn("#ops"), 2)
}

// The time allowed for registering counts the waits registration may
// make: a server that still holds the bot's nick (the connection of the
// attempt before, its QUIT not processed yet) costs three waits of a
// second before the nick is free (see TestNickHeldByEarlierConnection).
// Two channels that fit the deadline with a quick registration (pacing 5 s,
// 3 s to connect, 8.5 s left) do not with those waits: the Send posts to
// #a and leaves #b for the next attempt untouched, rather than joining it
// and leaving it once the registration has taken the time. One channel
// (pacing 1.5 s) fits with every wait.
func TestSendCountsRegistrationRetries(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nicksHeld: map[string]int{"statusbot": 3}})
	cfg := testConfig(srv.addr())
	cfg.Interval = 500 * time.Millisecond // ((5 lines + 2) × channels − 4 of burst) × 500ms
	cfg.Channels = []string{"#a", "#b"}
	u := sampleUpdate()
	u.Body = strings.Repeat("Traffic is being drained from the affected region. ", 40)
	ch := newChannel(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 8500*time.Millisecond)
	defer cancel()
	_, err := ch.Send(ctx, message(u))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "the next attempt posts to #b")
	p := onePending(t, err, "#b")
	assert.Contains(t, p.Err.Error(), "pacing: left for the next attempt")
	assert.Len(t, srv.saidIn("#a"), 5)
	assert.Equal(t, []string{"NICK statusbot", "NICK statusbot", "NICK statusbot", "NICK statusbot"}, srv.commands("NICK"))
	assert.Equal(t, []string{"JOIN #a"}, srv.commands("JOIN"), "#b not even joined")
}

// A server limits the channels a client may be in at once (ngIRCd's
// MaxJoins, 10 by default; Solanum's max_chans_per_user, 15): the JOINs
// past it get 405, ERR_TOOMANYCHANNELS. The channels it refused are
// pending, not refused for good: the next attempt joins only the channels
// not done yet, which the limit then lets in. They were failed for good,
// and never got the update. A kept connection, still in the channels of
// the first attempt, is not used for the retry.
func TestTooManyChannelsLeavesTheRestForTheNextAttempt(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		t.Run(map[bool]string{false: "a connection per Send", true: "persistent"}[persistent], func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{maxJoins: 2})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#a", "#b", "#c"}
			cfg.Persistent = persistent
			ch := newChannel(t, cfg)
			ledger := channeltest.NewLedger()
			m := message(sampleUpdate())
			m.Ledger = ledger

			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "the limit lets #c in once the others are done: %v", err)
			p := onePending(t, err, "#c")
			assert.Contains(t, p.Err.Error(), "join #c: 405")
			assert.Empty(t, ledger.Failed())

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, "#c", r.Meta["channels"])
			assert.Equal(t, []string{"#a", "#b", "#c"}, ledger.Delivered())
			for _, name := range cfg.Channels {
				assert.Len(t, srv.saidIn(name), 1, name)
			}
		})
	}
}

// A Send that waits for the turn of the Send before it (two updates sent
// at once, a correction right after its update) may get it with too
// little of its attempt left for the pacing, where the attempt had time
// enough when Send was called. That is no reason to give the update up
// for good: the next attempt, with its whole time, posts it. The Send
// before holds the turn on a JOIN the server never answers until the test
// ends it, once the other has waited past the time it had to spare.
func TestWaitForTheTurnIsNoPacingFailureForGood(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#hold": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Burst, cfg.Interval, cfg.MaxLines = 1, time.Second, 1 // JOIN, the line, PING: 2s of pacing
	cfg.Channels = []string{"#hold", "#ops"}
	cfg.Timeout = time.Minute
	ch := newChannel(t, cfg)

	first, cancelFirst := context.WithCancel(context.Background())
	defer cancelFirst()
	firstDone := make(chan error, 1)
	held := message(sampleUpdate())
	require.NoError(t, held.Ledger.MarkDelivered("#ops")) // the first Send joins #hold only
	go func() {
		_, err := ch.Send(first, held)
		firstDone <- err
	}()
	require.Eventually(t, func() bool { return len(srv.commands("JOIN")) == 1 }, 5*time.Second, time.Millisecond)

	// 2s of pacing and 3s to connect fit the 8s the attempt has when it
	// begins; not what is left once the turn comes.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	second := sampleUpdate()
	second.ID = "u2"
	m := message(second)
	require.NoError(t, m.Ledger.MarkDelivered("#hold"))
	secondDone := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, m)
		secondDone <- err
	}()
	time.Sleep(3500 * time.Millisecond) // the second Send waits for the turn meanwhile
	cancelFirst()
	require.ErrorIs(t, <-firstDone, context.Canceled)

	err := <-secondDone
	var pe *irc.PacingError
	require.ErrorAs(t, err, &pe)
	assert.False(t, broadcast.IsPermanent(err), "the next attempt has time enough: %v", err)
	assert.Greater(t, pe.Waited, 3*time.Second, "how long the Send waited for its turn")
	assert.Contains(t, err.Error(), "left for the next attempt, which has its whole time")
	assert.NotContains(t, err.Error(), "raise broadcast.Options.AttemptTimeout", "the next attempt posts with the time it has")
	done, failure := m.Ledger.Done("#ops")
	assert.False(t, done, "#ops is left for the next attempt (%s)", failure)
	assert.Empty(t, srv.saidIn("#ops"))
}
