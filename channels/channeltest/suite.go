package channeltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Hang detectors: a call that has not returned by then is reported as hung.
// They are generous on purpose; they do not measure speed.
const (
	sendLimit   = 30 * time.Second
	cancelLimit = 10 * time.Second
)

// errHung stands for the result of a call that did not return in time.
var errHung = errors.New("channeltest: the call did not return in time")

// A rule is one subtest: a name, the rule it checks in one line, what it
// needs, and the check itself, run on a fresh channel.
type rule struct {
	name  string
	rule  string
	needs func(s subject) string // why the rule does not apply; "" when it does
	check func(s *suite)
}

// subject is what Run knows before the rules run: the harness, and the
// optional interfaces of a first channel from New.
type subject struct {
	h         Harness
	editor    bool
	retractor bool
	checker   bool
	previewer bool
	closer    bool
	// notMade says why the channel's type has no nil or zero value to
	// call; "" when it is a pointer to a struct.
	notMade string
}

// probe makes a first channel to find the optional interfaces it
// implements, and logs what it found.
func probe(t *testing.T, h Harness) subject {
	t.Helper()
	ch, be := h.New(t)
	if ch == nil || be == nil {
		t.Fatal("channeltest: Harness.New returned a nil Channel or Backend")
	}
	_, editor := broadcast.As[broadcast.Editor](ch)
	_, retractor := broadcast.As[broadcast.Retractor](ch)
	_, checker := broadcast.As[broadcast.Checker](ch)
	_, previewer := broadcast.As[broadcast.Previewer](ch)
	_, closer := broadcast.As[io.Closer](ch)
	var found []string
	for _, f := range []struct {
		name string
		ok   bool
	}{{"broadcast.Editor", editor}, {"broadcast.Retractor", retractor}, {"broadcast.Checker", checker},
		{"broadcast.Previewer", previewer}} {
		if f.ok {
			found = append(found, f.name)
		}
	}
	if len(found) > 0 {
		t.Logf("the channel is a %s (by type assertion): their rules run", strings.Join(found, " and a "))
	}
	var notMade string
	if typ := reflect.TypeOf(ch); typ.Kind() != reflect.Pointer || typ.Elem().Kind() != reflect.Struct {
		notMade = fmt.Sprintf("the channel's type %v is not a pointer to a struct: it has no nil or zero value to call", typ)
	}
	return subject{h: h, editor: editor, retractor: retractor, checker: checker, previewer: previewer, closer: closer,
		notMade: notMade}
}

// skip returns why r does not apply, or "" when it does.
func (r rule) skip(s subject) string {
	if r.needs == nil {
		return ""
	}
	return r.needs(s)
}

func rules() []rule {
	return slices.Concat(contentRules(), contractRules(), fanoutRules(), editRules(), goneRules(), idRules(),
		optionalRules(), failureRules(), restartRules())
}

// needsFailure makes a rule apply only when the back end can inject f.
func needsFailure(f Failure) func(subject) string {
	return func(s subject) string {
		if slices.Contains(s.h.Failures, f) {
			return ""
		}
		return fmt.Sprintf("Harness.Failures does not list the %s failure", f)
	}
}

// needsAll makes a rule apply only when every need is met.
func needsAll(needs ...func(subject) string) func(subject) string {
	return func(s subject) string {
		for _, need := range needs {
			if why := need(s); why != "" {
				return why
			}
		}
		return ""
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

// perSend is how many Deliveries a successful Send adds.
func (s *suite) perSend() int { return max(1, len(s.h.Targets)) }

// call runs f on its own goroutine and returns its result, or errHung if
// it does not return within limit. It may be called from any goroutine.
func call(ctx context.Context, limit time.Duration, f func(context.Context) (broadcast.Receipt, error)) (broadcast.Receipt, error) {
	type result struct {
		r   broadcast.Receipt
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := f(ctx)
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

// sendOf is the Send of m on ch, for call.
func sendOf(ch broadcast.Channel, m broadcast.Message) func(context.Context) (broadcast.Receipt, error) {
	return func(ctx context.Context) (broadcast.Receipt, error) { return ch.Send(ctx, m) }
}

// do runs f under ctx and limit; the test stops if f hangs.
func (s *suite) do(ctx context.Context, what string, limit time.Duration, f func(context.Context) (broadcast.Receipt, error)) (broadcast.Receipt, error) {
	s.t.Helper()
	r, err := call(ctx, limit, f)
	if errors.Is(err, errHung) {
		s.t.Fatalf("%s: %v", what, err)
	}
	return r, err
}

// send calls Send with a background context; the test stops if Send hangs.
func (s *suite) send(m broadcast.Message) (broadcast.Receipt, error) {
	s.t.Helper()
	return s.sendCtx(context.Background(), m, sendLimit)
}

func (s *suite) sendCtx(ctx context.Context, m broadcast.Message, limit time.Duration) (broadcast.Receipt, error) {
	s.t.Helper()
	return s.do(ctx, fmt.Sprintf("Send of update %q", m.Update.Title), limit, sendOf(s.ch, m))
}

// deliver sends m, which must succeed, and returns the receipt as the
// Broadcaster stores it.
func (s *suite) deliver(m broadcast.Message) broadcast.Receipt {
	s.t.Helper()
	r, err := s.send(m)
	require.NoErrorf(s.t, err, "Send of update %q with a working back end", m.Update.Title)
	return s.stored(r, m.Update)
}

// stored completes r as the Broadcaster does before it saves it and hands
// it back in a Thread or to Edit and Retract.
func (s *suite) stored(r broadcast.Receipt, u broadcast.Update) broadcast.Receipt {
	r.Channel = s.ch.Name()
	if r.Time.IsZero() {
		r.Time = fixedTime
	}
	r.UpdateID, r.UpdateTime = u.ID, u.Time
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

// received returns the back end's deliveries, which must be those of
// sends successful Sends.
func (s *suite) received(sends int) []Delivery {
	s.t.Helper()
	got := s.be.Received()
	if want := sends * s.perSend(); len(got) != want {
		s.t.Fatalf("the back end accepted %d deliveries, want %d (%d per Send):%s",
			len(got), want, s.perSend(), summary(got))
	}
	return got
}

// sent returns the deliveries of the i-th of sends successful Sends,
// counted from 0; Sends made one after another add theirs in order.
func (s *suite) sent(i, sends int) []Delivery {
	s.t.Helper()
	n := s.perSend()
	return s.received(sends)[i*n : (i+1)*n]
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
		if d.Target != "" {
			fmt.Fprintf(&b, " to %q", d.Target)
		}
	}
	return b.String()
}
