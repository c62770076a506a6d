package channeltest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Hang detectors: a Send that has not returned by then is reported as hung.
// They are generous on purpose; they do not measure speed.
const (
	sendLimit   = 30 * time.Second
	cancelLimit = 10 * time.Second
)

// errHung stands for the result of a Send that did not return in time.
var errHung = errors.New("channeltest: Send did not return in time")

// A rule is one subtest: a name, the rule it checks in one line, what it
// needs from the harness, and the check itself, run on a fresh channel.
type rule struct {
	name  string
	rule  string
	needs func(h Harness) string // why the rule does not apply; "" when it does
	check func(s *suite)
}

// skip returns why r does not apply to h, or "" when it does.
func (r rule) skip(h Harness) string {
	if r.needs == nil {
		return ""
	}
	return r.needs(h)
}

func rules() []rule {
	return slices.Concat(contentRules(), contractRules(), failureRules())
}

// needsFailure makes a rule apply only when the back end can inject f.
func needsFailure(f Failure) func(Harness) string {
	return func(h Harness) string {
		if slices.Contains(h.Failures, f) {
			return ""
		}
		return fmt.Sprintf("Harness.Failures does not list the %s failure", f)
	}
}

// suite is what a check works with: the harness and a fresh channel wired
// to a fresh back end.
type suite struct {
	t  *testing.T
	h  Harness
	ch broadcast.Channel
	be Backend
}

func newSuite(t *testing.T, h Harness) *suite {
	t.Helper()
	ch, be := h.New(t)
	if ch == nil || be == nil {
		t.Fatal("channeltest: Harness.New returned a nil Channel or Backend")
	}
	return &suite{t: t, h: h, ch: ch, be: be}
}

// call runs Send on its own goroutine and returns its result, or errHung if
// it does not return within limit. It may be called from any goroutine.
func call(ctx context.Context, ch broadcast.Channel, m broadcast.Message, limit time.Duration) (broadcast.Receipt, error) {
	type result struct {
		r   broadcast.Receipt
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := ch.Send(ctx, m)
		done <- result{r, err}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.r, res.err
	case <-timer.C:
		return broadcast.Receipt{}, fmt.Errorf("%w (waited %v)", errHung, limit)
	}
}

// send calls Send with a background context; the test stops if Send hangs.
func (s *suite) send(m broadcast.Message) (broadcast.Receipt, error) {
	s.t.Helper()
	return s.sendCtx(context.Background(), m, sendLimit)
}

func (s *suite) sendCtx(ctx context.Context, m broadcast.Message, limit time.Duration) (broadcast.Receipt, error) {
	s.t.Helper()
	r, err := call(ctx, s.ch, m, limit)
	if errors.Is(err, errHung) {
		s.t.Fatalf("Send of update %q: %v", m.Update.Title, err)
	}
	return r, err
}

// deliver sends m, which must succeed.
func (s *suite) deliver(m broadcast.Message) broadcast.Receipt {
	s.t.Helper()
	r, err := s.send(m)
	require.NoErrorf(s.t, err, "Send of update %q with a working back end", m.Update.Title)
	return r
}

// sendFailing sends m while the back end injects f; Send must fail and the
// back end must accept nothing new.
func (s *suite) sendFailing(f Failure, m broadcast.Message) error {
	s.t.Helper()
	before := len(s.be.Received())
	s.be.Fail(f)
	_, err := s.send(m)
	s.be.Fail(FailNone)
	require.Errorf(s.t, err, "Send returned no error although the back end failed with %s", f)
	require.Lenf(s.t, s.be.Received(), before,
		"the back end accepted a delivery although it failed with %s", f)
	return err
}

// received returns the back end's deliveries, which must number n.
func (s *suite) received(n int) []Delivery {
	s.t.Helper()
	got := s.be.Received()
	if len(got) != n {
		s.t.Fatalf("the back end accepted %d deliveries, want %d:%s", len(got), n, summary(got))
	}
	return got
}

// summary lists the start of each delivery's text, one per line.
func summary(ds []Delivery) string {
	const show = 72
	var b strings.Builder
	for i, d := range ds {
		text := []rune(d.Text)
		if len(text) > show {
			text = append(text[:show], '…')
		}
		fmt.Fprintf(&b, "\n\t%d: %q", i+1, string(text))
	}
	return b.String()
}
