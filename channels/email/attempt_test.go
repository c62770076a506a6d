package email_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// tokenSequence is a TokenSource that hands out toks in turn, then
// repeats the last; an empty entry fails with err.
type tokenSequence struct {
	mu    sync.Mutex
	toks  []string
	err   error
	calls int
}

func (s *tokenSequence) token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.toks[min(s.calls, len(s.toks)-1)]
	s.calls++
	if tok == "" {
		return nil, s.err
	}
	return &oauth2.Token{AccessToken: tok}, nil
}

func (s *tokenSequence) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func xoauth2Config(srv *fakeSMTP, src *tokenSequence, to ...string) email.Config {
	cfg := config(srv, to...)
	cfg.Password, cfg.TokenSource = redact.NewSecret(""), src.token
	return cfg
}

// A connection that fails for good-looking reasons (here a 554 greeting,
// RFC 5321 4.3.2's "no SMTP service here") after another connection of
// the same Send delivered leaves the recipients not sent yet pending: the
// first connection proved the host, TLS and credentials good, so the
// refusal is a server-side blip (a bad node behind a load balancer), not
// a reason to drop those recipients for good.
func TestLateConnectionFailureLeavesRecipientsPending(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) {
		// The first connection takes 3 messages, then closes with 421;
		// the one dialled to replace it is refused at the greeting.
		s.perConn, s.greeting, s.greetFrom = 3, "554 5.3.2 no SMTP service here", 2
	})
	cfg := config(srv, recipients(6)...)
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(incident(1))
	m.Ledger = ledger

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	assert.Empty(t, ledger.Failed(), "no recipient failed for good")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Pending, 3)
	assert.ErrorContains(t, err, "554")
	assert.Len(t, srv.messages(), 3)

	// The blip over, the next attempt delivers the rest.
	srv.script(func(s *fakeSMTP) { s.greeting, s.perConn = "", 0 })
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, srv.messages(), 6)
	assert.Len(t, ledger.Delivered(), 6)
}

// With XOAUTH2, a 535 to a token the attempt has not refreshed yet makes
// it ask the TokenSource for a fresh one and connect again, at once: the
// token may have expired or been revoked on the way (Gmail answers an
// expired token with 334 and a JSON error, then 535 5.7.8, per its XOAUTH2
// protocol page). A 535 to the fresh token is permanent. Message.Attempt
// decides nothing: a Broadcaster gives a run's first attempt Attempt 2
// when an earlier run's outcome is unknown, and this process has then
// refreshed nothing yet.
func TestXOAUTH2RefusedTokenRefreshedOnce(t *testing.T) {
	for _, attempt := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("attempt ", attempt, ", fresh token accepted"), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			src := &tokenSequence{toks: []string{"ya29.expired-Qw7", testToken}}
			ch := newChannel(t, xoauth2Config(srv, src, "alice@example.net"))
			require.NoError(t, sendAttempt(ch, 1, attempt))
			assert.Len(t, srv.messages(), 1)
			assert.Equal(t, 2, src.count(), "one refresh")
		})
		t.Run(fmt.Sprint("attempt ", attempt, ", fresh token refused too"), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			src := &tokenSequence{toks: []string{"ya29.revoked-1", "ya29.revoked-2"}}
			ch := newChannel(t, xoauth2Config(srv, src, "alice@example.net"))
			err := sendAttempt(ch, 1, attempt)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "the fresh token's 535 is permanent: %v", err)
			assert.ErrorContains(t, err, "535")
			assert.NotContains(t, err.Error(), "ya29.revoked")
			assert.Equal(t, 2, src.count(), "one refresh, no more")
			assert.Empty(t, srv.messages())
		})
	}
	t.Run("many connections, one refresh", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		src := &tokenSequence{toks: []string{"ya29.expired-Qw7", testToken}}
		cfg := xoauth2Config(srv, src, recipients(6)...)
		cfg.Concurrency = 3
		ch := newChannel(t, cfg)
		require.NoError(t, sendAttempt(ch, 1, 2))
		assert.Len(t, srv.messages(), 6)
		assert.Equal(t, 2, src.count(), "the connections share one refresh")
	})
	t.Run("Check", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		src := &tokenSequence{toks: []string{"ya29.expired-Qw7", testToken, "ya29.revoked-1", "ya29.revoked-2"}}
		ch := newChannel(t, xoauth2Config(srv, src, "alice@example.net"))
		require.NoError(t, ch.Check(context.Background()), "refreshed")
		err := ch.Check(context.Background())
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "the fresh token's 535 is permanent: %v", err)
		assert.NotContains(t, err.Error(), "ya29.revoked")
		assert.Equal(t, 4, src.count())
	})
	t.Run("password 535 stays permanent", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: "other"})
		err := sendErr(newChannel(t, config(srv, "alice@example.net")))
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
	})
}

// A TokenSource that hands out the refused token again when asked for a
// fresh one (a cached token it still takes for valid: a clock behind the
// server's, a token revoked early) has not refreshed it: the 535 is then
// transient, whatever the attempt, since the source hands out a fresh
// token once the cached one expires, and the error says why. Another
// connection of the attempt is not dialled with it.
func TestXOAUTH2SameTokenAgainIsTransient(t *testing.T) {
	for _, attempt := range []int{1, 2} {
		t.Run(fmt.Sprint("attempt ", attempt), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			src := &tokenSequence{toks: []string{"ya29.stale-1"}}
			cfg := xoauth2Config(srv, src, recipients(4)...)
			cfg.Concurrency = 2
			ch := newChannel(t, cfg)
			ledger := channeltest.NewLedger()
			m := broadcast.NewMessage(incident(1))
			m.Attempt, m.Ledger = attempt, ledger
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			assert.ErrorContains(t, err, "535")
			assert.ErrorContains(t, err, "the same token again")
			assert.NotContains(t, err.Error(), "ya29.stale")
			assert.Empty(t, ledger.Failed())
			assert.Equal(t, 2, src.count(), "one refresh per attempt")
			assert.LessOrEqual(t, countVerb(srv, "AUTH"), cfg.Concurrency, "no dial with the refused token after the refresh")
		})
	}
}

// A Send that has a kept, authenticated connection uses it without a new
// token: a TokenSource that fails then (its token endpoint down) does not
// fail the Send, and one refused for good fails no recipient while a kept
// connection delivers.
func TestKeptConnectionNeedsNoToken(t *testing.T) {
	t.Run("one connection", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		src := &tokenSequence{toks: []string{testToken, ""}, err: errors.New("token endpoint unreachable")}
		cfg := xoauth2Config(srv, src, recipients(3)...)
		cfg.Concurrency = 1
		ch := newChannel(t, cfg)
		send(t, ch, broadcast.NewMessage(incident(1)))
		send(t, ch, broadcast.NewMessage(incident(2)))
		assert.Len(t, srv.messages(), 6)
		assert.Equal(t, 1, srv.connections())
		assert.Equal(t, 1, src.count(), "no token fetched for the kept connection")
	})
	t.Run("refresh refused, one of two connections kept", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
		refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest}, ErrorCode: "invalid_grant"}
		src := &tokenSequence{toks: []string{testToken, ""}, err: refused}
		rcpt := recipients(4)
		ch := newChannel(t, xoauth2Config(srv, src, rcpt...)) // Concurrency 2
		// The first Send has one recipient left to do, so one connection
		// is dialled and kept.
		first := channeltest.NewLedger()
		for _, r := range rcpt[1:] {
			require.NoError(t, first.MarkDelivered(r))
		}
		send(t, ch, broadcast.Message{Update: incident(1), Ledger: first})

		ledger := channeltest.NewLedger()
		m := broadcast.NewMessage(incident(2))
		m.Ledger = ledger
		_, err := ch.Send(context.Background(), m)
		if err != nil {
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
		}
		assert.Empty(t, ledger.Failed(), "no recipient failed for good")
		assert.NotEmpty(t, ledger.Delivered())
	})
}

// A TokenSource that returns neither a token nor an error is a broken
// configuration: a permanent error naming it, not a panic.
func TestNilTokenIsAnError(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
	cfg := config(srv, "alice@example.net")
	cfg.Password, cfg.TokenSource = redact.NewSecret(""), func() (*oauth2.Token, error) { return nil, nil }
	ch := newChannel(t, cfg)
	for name, err := range map[string]error{"Check": ch.Check(context.Background()), "Send": sendErr(ch)} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
		assert.ErrorContains(t, err, "XOAUTH2 token", name)
	}
}

// A TokenSource that panics, called from one of the connections a Send
// runs at once (Concurrency 2, two recipients), where nothing would
// recover the panic, is a permanent error naming it: the process lives.
func TestPanickingTokenSourceIsAnError(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
	cfg := config(srv, "alice@example.net", "bob@example.net")
	cfg.Concurrency = 2
	cfg.Password, cfg.TokenSource = redact.NewSecret(""), func() (*oauth2.Token, error) { panic("token source bug") }
	err := sendErr(newChannel(t, cfg))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "token source: panicked")
	assert.NotContains(t, err.Error(), "token source bug", "the panic's value may quote a secret")
}

// sendAttempt makes the given attempt of delivering incident(n).
func sendAttempt(ch *email.Channel, n, attempt int) error {
	m := broadcast.NewMessage(incident(n))
	m.Attempt = attempt
	_, err := ch.Send(context.Background(), m)
	return err
}

// A refresh after a 535 that the token endpoint refuses is classified as
// a first fetch's refusal is: permanent for a 400 invalid_grant, transient
// for a 503; and no other connection of the attempt dials with the token
// the server refused.
func TestXOAUTH2RefreshFails(t *testing.T) {
	for _, tt := range []struct {
		status    int
		permanent bool
	}{{http.StatusBadRequest, true}, {http.StatusServiceUnavailable, false}} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: tt.status}, ErrorCode: "invalid_grant"}
			src := &tokenSequence{toks: []string{"ya29.expired-Qw7", ""}, err: refused}
			cfg := xoauth2Config(srv, src, recipients(4)...)
			ch := newChannel(t, cfg) // Concurrency 2
			err := sendAttempt(ch, 1, 2)
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%v", err)
			assert.ErrorContains(t, err, fmt.Sprint("token endpoint answered ", tt.status))
			assert.NotContains(t, err.Error(), "ya29.expired")
			assert.Equal(t, 2, src.count(), "one refresh")
			assert.LessOrEqual(t, countVerb(srv, "AUTH"), cfg.Concurrency, "no dial with the refused token after the refresh")
		})
	}
}

// countVerb counts the commands srv read with verb.
func countVerb(srv *fakeSMTP, verb string) int {
	n := 0
	for _, c := range srv.commands() {
		if c.verb == verb {
			n++
		}
	}
	return n
}

// Whether a token was refreshed is the attempt's own: what the Sends of
// other updates, or Checks, met before, on this instance or another, does
// not count. Here every token is refused, each fetch a new one: every
// Send and Check refreshes once, and its fresh token's 535 is permanent,
// also when they run at once.
func TestXOAUTH2RefreshPerAttempt(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
	src := &countingTokens{}
	cfg := config(srv, "alice@example.net")
	cfg.Password, cfg.TokenSource = redact.NewSecret(""), src.token
	ch := newChannel(t, cfg)
	const n = 4
	errs := make([]error, n+2)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = sendAttempt(ch, i, 1+i%2) })
	}
	wg.Go(func() { errs[n] = ch.Check(context.Background()) })
	wg.Go(func() { errs[n+1] = sendAttempt(ch, n, 1) })
	wg.Wait()
	for i, err := range errs {
		require.Error(t, err, i)
		assert.True(t, broadcast.IsPermanent(err), "%d: %v", i, err)
		assert.NotContains(t, err.Error(), "ya29.revoked", i)
	}
	assert.Equal(t, 2*len(errs), src.count(), "one refresh each")
}

// countingTokens hands out a new token at every call.
type countingTokens struct {
	mu    sync.Mutex
	calls int
}

func (s *countingTokens) token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return &oauth2.Token{AccessToken: fmt.Sprintf("ya29.revoked-%d", s.calls)}, nil
}

func (s *countingTokens) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// A token endpoint's refusal is told by its status, OAuth error code and
// description only: its answer may echo the client secret or the refresh
// token, secrets the channel does not know to redact (the e-mail channel
// put the whole answer in the Send's error). A 429 or a 5xx is worth
// retrying, after the endpoint's Retry-After; a 400 invalid_grant is not.
func TestTokenRefusalNamesNoSecret(t *testing.T) {
	echo := []byte(`{"error":"invalid_grant","error_description":"bad grant",` +
		`"echo":"refresh_token=1//refresh-SECRET&client_secret=client-SECRET"}`)
	for _, tt := range []struct {
		status    int
		code      string // the answer's OAuth error code; without one, its text holds the whole answer
		permanent bool
		wait      time.Duration
	}{
		{http.StatusBadRequest, "invalid_grant", true, 0},
		{http.StatusUnauthorized, "", true, 0},
		{http.StatusTooManyRequests, "invalid_grant", false, 7 * time.Second},
		{http.StatusServiceUnavailable, "", false, 0},
	} {
		t.Run(fmt.Sprint(tt.status, tt.code), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			h := http.Header{}
			if tt.wait > 0 {
				h.Set("Retry-After", "7")
			}
			// The token request, whose form the description may echo.
			req, err := http.NewRequest(http.MethodPost, "https://oauth2.example/token",
				strings.NewReader("grant_type=refresh_token&refresh_token=1%2F%2Frefresh-SECRET&client_secret=client-SECRET"))
			require.NoError(t, err)
			refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: tt.status, Header: h, Request: req}, Body: echo}
			if tt.code != "" {
				refused.ErrorCode, refused.ErrorDescription = tt.code, "bad grant for 1//refresh-SECRET"
			}
			src := &tokenSequence{toks: []string{""}, err: refused}
			ch := newChannel(t, xoauth2Config(srv, src, "alice@example.net"))
			_, err = ch.Send(context.Background(), broadcast.NewMessage(incident(1)))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.Contains(t, err.Error(), fmt.Sprintf("token endpoint answered %d", tt.status))
			if tt.code != "" {
				assert.Contains(t, err.Error(), "invalid_grant: bad grant")
			}
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%v", err)
			if d, ok := broadcast.RetryDelay(err); tt.wait > 0 {
				assert.True(t, ok && d == tt.wait, "Retry-After: %v %v", d, ok)
			}
		})
	}
}

// A server that quotes the AUTH line in its 535 gets neither the first
// token nor the fresh one into the error, whichever the refusal that
// stands.
func TestXOAUTH2RefreshedTokenEchoRedacted(t *testing.T) {
	for name, toks := range map[string][]string{
		"fresh token refused": {"ya29.first-Qw7xZ", "ya29.fresh-Rt4yK"},
		"same token again":    {"ya29.first-Qw7xZ"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, token: testToken})
			srv.script(func(s *fakeSMTP) { s.authAll = "535 5.7.8 authentication failed: " + echoCreds })
			src := &tokenSequence{toks: toks}
			ch := newChannel(t, xoauth2Config(srv, src, "alice@example.net"))
			err := sendAttempt(ch, 1, 1)
			require.Error(t, err)
			cerr := ch.Check(context.Background())
			require.Error(t, cerr)
			shown := chainText(err) + chainText(cerr)
			assert.Contains(t, shown, "you sent", "the server quoted the credentials")
			assert.Contains(t, shown, "REDACTED")
			channeltest.AssertNoSecret(t, shown, toks...)
			assert.Equal(t, 2*2, src.count())
		})
	}
}

// hangingTokens is a TokenSource whose calls block until release is
// closed, as one whose token endpoint never answers; called is closed at
// the first call.
type hangingTokens struct {
	calledOnce      sync.Once
	called, release chan struct{}
}

func newHangingTokens(t *testing.T) *hangingTokens {
	h := &hangingTokens{called: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hangingTokens) token() (*oauth2.Token, error) {
	h.calledOnce.Do(func() { close(h.called) })
	<-h.release
	return &oauth2.Token{AccessToken: "late-token"}, nil
}

// A token endpoint that hangs holds neither a Send past the end of its
// context nor Close: the Send returns the context's error, transient,
// and a later Send whose context ends while the first call still hangs
// returns too, without a second call piling up behind it. The guard
// below only turns a hang into a failure.
func TestTokenFetchEndsWithTheSendsContext(t *testing.T) {
	srv := startSMTP(t, serverOptions{})
	h := newHangingTokens(t)
	cfg := config(srv, recipients(2)...)
	cfg.Password, cfg.TokenSource = redact.NewSecret(""), h.token
	ch, err := email.New(cfg)
	require.NoError(t, err)

	send := func(ctx context.Context) <-chan error {
		done := make(chan error, 1)
		go func() {
			_, err := ch.Send(ctx, broadcast.NewMessage(incident(1)))
			done <- err
		}()
		return done
	}
	wait := func(done <-chan error) error {
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			require.FailNow(t, "Send still waits for the token after its context ended")
			return nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := send(ctx)
	<-h.called
	cancel()
	err = wait(done)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)

	ended, cancel2 := context.WithCancel(context.Background())
	cancel2()
	err = wait(send(ended))
	require.ErrorIs(t, err, context.Canceled)

	closed := make(chan error, 1)
	go func() { closed <- ch.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Close waits for the token endpoint")
	}
	assert.Zero(t, srv.connections(), "no connection without a token")
}
