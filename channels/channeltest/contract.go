package channeltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/notmade/notmadetest"
)

// concurrentSends is how many Sends the concurrency rule runs at once.
const concurrentSends = 10

// contractRules check the Channel contract the Broadcaster relies on.
func contractRules() []rule {
	return []rule{
		{name: "UpdateNotModified", check: checkNotModified,
			rule: "Send does not modify the Update, its Components slice or its Overrides map"},
		{name: "TenConcurrentSends", check: checkConcurrent,
			rule: "10 concurrent Sends of distinct updates all succeed, each delivered once to each target, race-free"},
		{name: "CancelledContextReturnsPromptly", check: checkCancelled,
			rule: "with an already-cancelled ctx Send delivers nothing and returns promptly " +
				"an error matching context.Canceled (wrap ctx errors with %w)"},
		{name: "OneHitPerSend", check: checkOneHit,
			rule: "each Send reaches the back end once: a successful Send after a failed one " +
				"delivers exactly one message, nothing is resent behind the caller's back"},
		{name: "IdempotencyKeyStable", check: checkKey, needs: needsKeyed,
			rule: "each request carries Message.Key(target) as the platform's idempotency key: " +
				"the same on a retry and for a new Message of the same update, another for another update"},
		{name: "HandBuiltMessages", check: checkHandBuilt,
			rule: "a Message built by hand (no Update.ID, no Time, no Ledger) is delivered as NewMessage's would be: " +
				"two of different updates are each delivered, under keys of their own"},
		{name: "NilOrZeroChannelFails", check: checkNotMade, needs: func(s subject) string { return s.notMade },
			rule: "a nil or zero Channel (its constructor's error dropped) fails every call with an error, never panics"},
		{name: "SendAfterCloseFailsForGood", check: checkSendAfterClose, needs: needsCloser,
			rule: "a channel that is an io.Closer can be closed twice, and a Send after Close delivers once " +
				"or fails with an error marked broadcast.Permanent (a transient one would be retried in vain) " +
				"that matches broadcast.ErrChannelClosed (so that the update stays pending there)"},
		{name: "CloseDuringSends", check: checkCloseDuringSends, needs: needsCloser,
			rule: "Close while 10 Sends are under way is race-free and panics nowhere: each Send returns, " +
				"having delivered its update once to each target, or failed (marked broadcast.Uncertain if it posted; " +
				"with an error matching broadcast.ErrChannelClosed, no target marked failed in the Ledger), " +
				"no goroutine started since outlives them, and a Send after them delivers once or fails for good " +
				"(matching broadcast.ErrChannelClosed), posting nothing"},
		{name: "CloseReleasesConnections", check: checkCloseReleases, needs: needsOwnClient,
			rule: "a channel that makes its own HTTP client is an io.Closer, and after a Send its Close " +
				"leaves no connection of that client, and no goroutine of one, behind"},
	}
}

// checkNotMade calls every exported method of a nil and of a zero value
// of the channel's type, a pointer to a struct.
func checkNotMade(s *suite) {
	t := reflect.TypeOf(s.ch)
	s.t.Logf("calling every exported method of a nil %v, then of a zero %v", t, t.Elem())
	notmadetest.Check(s.t, reflect.Zero(t).Interface())
	notmadetest.Check(s.t, reflect.New(t.Elem()).Interface())
}

func needsCloser(s subject) string {
	if s.closer {
		return ""
	}
	return "the channel is not an io.Closer (by type assertion)"
}

// Close may be called twice (a deferred Close after an explicit one), and
// a closed channel either still delivers or says for good that it will
// not: the Broadcaster retries a transient error until its retries run
// out, and the closed channel answers each the same.
func checkSendAfterClose(s *suite) {
	closer, _ := broadcast.As[io.Closer](s.ch)
	s.deliver(message(update(1)))
	for i := 1; i <= 2; i++ {
		var panicked any
		_, err := s.do(context.Background(), fmt.Sprintf("Close %d", i), sendLimit,
			func(context.Context) (broadcast.Receipt, error) {
				defer func() { panicked = recover() }()
				return broadcast.Receipt{}, closer.Close()
			})
		if panicked != nil {
			s.t.Fatalf("Close %d panicked: %v", i, panicked)
		}
		if err != nil {
			s.t.Logf("Close %d: %v", i, err)
		}
	}
	m := message(update(2))
	_, err := s.do(context.Background(), "Send after Close", sendLimit, recovering(sendOf(s.ch, m)))
	require.NotErrorIsf(s.t, err, errPanicked, "Send after Close")
	if err != nil {
		assert.Truef(s.t, broadcast.IsPermanent(err), "Send after Close: IsPermanent(%q): "+
			"a closed channel fails the same way on every retry", err)
		assert.Truef(s.t, errors.Is(err, broadcast.ErrChannelClosed), "Send after Close: "+
			"errors.Is(%q, broadcast.ErrChannelClosed): the Broadcaster would fail the update there for good", err)
		s.received(1)
		return
	}
	for _, d := range s.sent(1, 2) {
		assert.Truef(s.t, containsTitle(d.Text, m.Update.Title), "the delivery of the Send after Close is update 2: %q", d.Text)
	}
}

func needsOwnClient(s subject) string {
	if s.h.OwnClient != nil {
		return ""
	}
	return "Harness.OwnClient is nil"
}

// Close releases what the channel's own client holds: the goroutines
// running when the channel was made are all that remain.
func checkCloseReleases(s *suite) {
	ch, be := s.h.OwnClient(s.t)
	require.Truef(s.t, ch != nil && be != nil, "channeltest: Harness.OwnClient returned a nil Channel or Backend")
	closer, ok := broadcast.As[io.Closer](ch)
	require.Truef(s.t, ok, "%T makes its own client but is not an io.Closer: nothing can release its connections", ch)
	running := goleak.IgnoreCurrent()
	own := &suite{t: s.t, h: s.h, ch: ch, be: be}
	own.deliver(message(update(1)))
	require.NoError(s.t, closer.Close())
	goleak.VerifyNone(s.t, running)
}

func needsKeyed(s subject) string {
	if s.h.Keyed {
		return ""
	}
	return "Harness.Keyed is false (the platform takes no idempotency key)"
}

// Messages built by hand, as a caller without a Broadcaster may (not with
// NewMessage), are delivered as NewMessage's: each update once, and keyed
// by the ID it would be given, so that a platform honouring keys does not
// answer the second update with the first one's post.
func checkHandBuilt(s *suite) {
	ms := []broadcast.Message{{Update: update(1), Attempt: 1}, {Update: update(2), Attempt: 1}}
	for _, m := range ms {
		s.deliver(m)
	}
	for i, m := range ms {
		for _, d := range s.sent(i, len(ms)) {
			assert.Truef(s.t, containsTitle(d.Text, m.Update.Title), "delivery %d: %q does not hold the title %q",
				i+1, d.Text, m.Update.Title)
			if s.h.Keyed {
				assert.Equalf(s.t, m.Key(d.Target), d.Key, "the key of update %d to target %q: Message.Key(%q)",
					i+1, d.Target, d.Target)
			}
		}
	}
	if s.h.Keyed {
		first, second := s.sent(0, len(ms)), s.sent(1, len(ms))
		assert.NotEqual(s.t, first[0].Key, second[0].Key, "two updates without an ID share an idempotency key")
	}
}

// The Update is not modified, whether it is rendered or overridden.
func checkNotModified(s *suite) {
	overridden := fullUpdate(2)
	overridden.Overrides[s.ch.Name()] = overrideText
	for _, u := range []broadcast.Update{fullUpdate(1), overridden} {
		m := message(u)
		want := deepCopy(m.Update)
		s.deliver(m)
		assert.Truef(s.t, reflect.DeepEqual(want, m.Update),
			"Update after Send:\nwant %#v\n got %#v", want, m.Update)
	}
}

// Concurrent Sends all get through, each once.
func checkConcurrent(s *suite) {
	errs := make([]error, concurrentSends)
	var wg sync.WaitGroup
	for i := range concurrentSends {
		m := message(update(i + 1))
		wg.Go(func() {
			_, errs[i] = call(context.Background(), sendLimit, sendOf(s.ch, m))
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoErrorf(s.t, err, "concurrent Send %d", i+1)
	}
	got := s.received(concurrentSends)
	for i := range concurrentSends {
		title := update(i + 1).Title
		n := 0
		for _, d := range got {
			if containsTitle(d.Text, title) {
				n++
			}
		}
		assert.Equalf(s.t, s.perSend(), n, "deliveries of the update titled %q", title)
	}
}

// containsTitle reports whether text holds title not followed by a digit,
// so that "region 1" is not found in "region 10".
func containsTitle(text, title string) bool {
	for rest := text; ; {
		i := strings.Index(rest, title)
		if i < 0 {
			return false
		}
		rest = rest[i+len(title):]
		if rest == "" || rest[0] < '0' || rest[0] > '9' {
			return true
		}
	}
}

// A cancelled context stops Send before it delivers.
func checkCancelled(s *suite) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.sendCtx(ctx, message(update(1)), cancelLimit)
	require.Error(s.t, err, "Send with a cancelled context")
	assert.Truef(s.t, errors.Is(err, context.Canceled),
		"errors.Is(err, context.Canceled) is false for %q: wrap the context's error with %%w", err)
	s.received(0)
}

// One back-end hit per Send, also across a failure.
func checkOneHit(s *suite) {
	s.deliver(message(update(1)))
	s.received(1)
	m := message(update(2))
	if fs := classified(s.h.Failures); len(fs) > 0 {
		f := fs[0] // transient ones first: a retry most often follows them
		if broadcast.IsPermanent(s.sendFailing(f, m)) {
			m = message(update(2)) // not retried: the caller sends it anew
		} else {
			m.Attempt = 2 // the Broadcaster's retry, with the same Ledger
		}
	} else {
		s.t.Log("no failure to inject: checking successful Sends only")
	}
	s.deliver(m)
	for _, d := range s.sent(1, 2) {
		assert.Truef(s.t, containsTitle(d.Text, m.Update.Title), "the second delivery is update 2: %q", d.Text)
	}
}

// The key is Message.Key(target) on every attempt: on a retry after a
// failure, and on a retry after a lost answer, which the platform got (a
// new Message of the same update: nothing in its Ledger says it was
// delivered). Another update has another key.
func checkKey(s *suite) {
	m := message(update(1))
	if slices.Contains(s.h.Failures, FailTransient) {
		s.sendFailing(FailTransient, m)
	}
	m.Attempt = 2
	s.deliver(m)
	lost := message(update(1))
	lost.Attempt = 3
	s.deliver(lost)
	other := message(update(2))
	s.deliver(other)
	for i, c := range []struct {
		what string
		m    broadcast.Message
	}{
		{"a retry (Attempt 2)", m},
		{"a retry after a lost answer (a new Message, Attempt 3)", lost},
		{"another update", other},
	} {
		for _, d := range s.sent(i, 3) {
			assert.Equalf(s.t, c.m.Key(d.Target), d.Key, "the key of %s to target %q: Message.Key(%q)",
				c.what, d.Target, d.Target)
		}
	}
}

// Close with Sends under way is race-free: each Send returns, delivering
// its update once to each target or failing (one that posted, marked as
// one that did not, is wrong; one whose error matches
// broadcast.ErrChannelClosed marks no target failed: shutting the channel
// down is no refusal), and none panics, nor does Close; no goroutine
// started since outlives them, and a Send after them delivers once or
// fails for good with the channel's closed error, posting nothing.
func checkCloseDuringSends(s *suite) {
	closer, _ := broadcast.As[io.Closer](s.ch)
	running := goleak.IgnoreCurrent()
	errs := make([]error, concurrentSends)
	ms := make([]broadcast.Message, concurrentSends)
	var wg sync.WaitGroup
	for i := range concurrentSends {
		m := message(update(i + 1))
		ms[i] = m
		wg.Go(func() {
			_, errs[i] = call(context.Background(), sendLimit, recovering(sendOf(s.ch, m)))
		})
	}
	_, err := s.do(context.Background(), "Close during Sends", sendLimit, recovering(func(context.Context) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, closer.Close()
	}))
	wg.Wait()
	require.NotErrorIsf(s.t, err, errPanicked, "Close during Sends")
	if err != nil {
		s.t.Logf("Close during Sends: %v", err)
	}
	got := s.be.Received()
	for i, err := range errs {
		require.NotErrorIsf(s.t, err, errHung, "Send %d during Close", i+1)
		assert.NotErrorIsf(s.t, err, errPanicked, "Send %d during Close", i+1)
		title, n := update(i+1).Title, 0
		for _, d := range got {
			if containsTitle(d.Text, title) {
				n++
			}
		}
		if err == nil {
			assert.Equalf(s.t, s.perSend(), n, "deliveries of the update titled %q, whose Send succeeded during Close", title)
			continue
		}
		assert.LessOrEqualf(s.t, n, s.perSend(), "deliveries of the update titled %q, whose Send failed during Close", title)
		if errors.Is(err, broadcast.ErrChannelClosed) {
			// Shutting the channel down is no refusal: a target it cut
			// is left pending for a later Send, not marked failed.
			for _, t := range s.h.Targets {
				_, failure := ms[i].Ledger.Done(t)
				assert.Emptyf(s.t, failure, "target %q of the update titled %q, whose Send Close ended (%v): "+
					"marked failed in the Ledger, so that no later run tries it", t, title, err)
			}
		}
		if n > 0 && s.perSend() == 1 {
			postedUnmarked(s, fmt.Sprintf("the error of Send %d during Close, which posted", i+1), err)
		}
	}
	assert.NoErrorf(s.t, goleak.Find(append([]goleak.Option{running}, keptAlive...)...), "a goroutine started since the Sends began outlives Close and them")
	m := message(update(concurrentSends + 1))
	_, err = s.do(context.Background(), "Send after Close during Sends", sendLimit, recovering(sendOf(s.ch, m)))
	require.NotErrorIsf(s.t, err, errPanicked, "Send after Close during Sends")
	// Its own deliveries only: a back end may still be taking the post of
	// a request Close ended, which the Send during Close reported.
	var after []Delivery
	for _, d := range s.be.Received() {
		if containsTitle(d.Text, m.Update.Title) {
			after = append(after, d)
		}
	}
	if err != nil {
		assert.Truef(s.t, broadcast.IsPermanent(err), "Send after Close during Sends: IsPermanent(%q): "+
			"a closed channel fails the same way on every retry", err)
		assert.Truef(s.t, errors.Is(err, broadcast.ErrChannelClosed), "Send after Close during Sends: "+
			"errors.Is(%q, broadcast.ErrChannelClosed): the Broadcaster would fail the update there for good", err)
		assert.Emptyf(s.t, after, "Send after Close during Sends failed, but posted:%s", summary(after))
		return
	}
	require.Lenf(s.t, after, s.perSend(), "Send after Close during Sends:%s", summary(after))
}

// keptAlive are the goroutines of the HTTP connections a client given in
// a Config keeps for its next requests, and of the back end's end of
// them: the caller's client's, not the channel's, to release (see
// CloseReleasesConnections for a client the channel made).
var keptAlive = []goleak.Option{
	goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
	goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
}

// errPanicked is wrapped by the error recovering gives a call that
// panicked.
var errPanicked = errors.New("channeltest: the call panicked")

// recovering is f, a panic of which it returns as an error wrapping
// errPanicked: a panic on call's goroutine would end the test binary.
func recovering(f func(context.Context) (broadcast.Receipt, error)) func(context.Context) (broadcast.Receipt, error) {
	return func(ctx context.Context) (r broadcast.Receipt, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: %v", errPanicked, p)
			}
		}()
		return f(ctx)
	}
}
