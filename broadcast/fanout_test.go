package broadcast_test

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
)

func TestMessageKey(t *testing.T) {
	u := validUpdate()
	u.ID = "u-1"
	m := broadcast.NewMessage(u)
	k := m.Key("ada@example.com")
	assert.Regexp(t, `^[0-9a-f]{32}$`, k)
	// Keys outlive the process and are compared across instances and
	// versions: a new release must derive the same key.
	assert.Equal(t, "c632f9d3ee189f38ab369abdd6392887", k, "the key of this update and target, as every version derives it")
	long := u
	long.ID = strings.Repeat("é", 300)
	assert.Equal(t, "ea5f9865d0a8d0711e2210ad932c63ce", broadcast.NewMessage(long).Key(strings.Repeat("t", 100)))
	assert.Equal(t, k, broadcast.NewMessage(u).Key("ada@example.com"), "stable for the same update and target")
	assert.NotEqual(t, k, m.Key("bob@example.com"), "one key per target")
	assert.NotEqual(t, k, m.Key(""), "the channel as a whole has its own key")
	u.ID = "u-2"
	assert.NotEqual(t, k, broadcast.NewMessage(u).Key("ada@example.com"), "one key per update")

	// Through a Broadcaster the key also depends on the channel, and is
	// the same on every attempt.
	keys := map[string][]string{}
	var mu sync.Mutex
	record := func(name string) broadcast.Channel {
		n := 0
		return broadcast.ChannelFunc(name, func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			mu.Lock()
			defer mu.Unlock()
			keys[name] = append(keys[name], m.Key("t"))
			if n++; n < 3 {
				return broadcast.Receipt{}, errBusyTarget
			}
			return broadcast.Receipt{}, nil
		})
	}
	b := newBroadcaster(t, broadcast.Options{}, record("a"), record("b"))
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	require.Len(t, keys["a"], 3)
	assert.Equal(t, keys["a"][0], keys["a"][2], "same key on every attempt")
	assert.NotEqual(t, keys["a"][0], keys["b"][0], "channels get different keys")

	// A second Broadcaster (a restart, another instance) computes the same key.
	keys2 := keys
	keys = map[string][]string{}
	b2 := newBroadcaster(t, broadcast.Options{}, record("a"))
	_, err = b2.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, keys2["a"][0], keys["a"][0])
}

func TestNewMessage(t *testing.T) {
	m := broadcast.NewMessage(broadcast.Update{Title: "\x1b[1mCDN\x1b[0m errors", Status: broadcast.StatusInvestigating})
	assert.Equal(t, 1, m.Attempt)
	assert.Equal(t, "CDN errors", m.Update.Title, "cleaned")
	assert.Equal(t, "cdn-errors", m.Update.IncidentID, "defaults filled in")
	assert.NotEmpty(t, m.Update.ID)
	assert.False(t, m.Update.Time.IsZero())
	assert.True(t, m.Thread.IsZero())
	require.NotNil(t, m.Ledger)
	done, _ := m.Ledger.Done("a")
	assert.False(t, done)
	require.NoError(t, m.Ledger.MarkFailed("a", errors.New("550 gone")))
	done, failure := m.Ledger.Done("a")
	assert.True(t, done)
	assert.Equal(t, "550 gone", failure)
}

func TestFanoutRule(t *testing.T) {
	perm := broadcast.Permanent(errors.New("550 no such user"))
	later := errors.New("451 try later")
	tests := []struct {
		name      string
		earlier   map[string]string // marks of earlier attempts: failure text
		outcome   map[string]error  // this attempt; a missing target is not reported
		wantErr   string            // "" nil
		permanent bool
		wait      time.Duration
	}{
		{"all delivered", nil, map[string]error{"a": nil, "b": nil, "c": nil}, "", false, 0},
		{"some refused for good", nil, map[string]error{"a": nil, "b": perm, "c": nil}, "", false, 0},
		{"all refused for good", nil, map[string]error{"a": perm, "b": perm, "c": perm},
			"3 of 3 targets not delivered (0 pending, 3 failed permanently)", true, 0},
		{"one transient", nil, map[string]error{"a": nil, "b": later, "c": nil},
			"1 of 3 targets not delivered (1 pending, 0 failed permanently): b: 451 try later", false, 0},
		{"longest RetryAfter wins", nil, map[string]error{"a": broadcast.RetryAfter(later, time.Second),
			"b": broadcast.RetryAfter(later, 3*time.Second), "c": nil}, "2 of 3 targets not delivered", false, 3 * time.Second},
		{"cut short", nil, map[string]error{"a": nil},
			"2 of 3 targets not delivered (2 pending, 0 failed permanently): b: not attempted", false, 0},
		{"delivered earlier counts", map[string]string{"a": ""}, map[string]error{"b": perm, "c": perm}, "", false, 0},
		{"refused earlier and now", map[string]string{"a": "550 earlier"}, map[string]error{"b": perm, "c": perm},
			"a: failed in an earlier attempt: 550 earlier", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := broadcast.NewMessage(validUpdate())
			for target, failure := range tt.earlier {
				if failure == "" {
					require.NoError(t, m.Ledger.MarkDelivered(target))
				} else {
					require.NoError(t, m.Ledger.MarkFailed(target, errors.New(failure)))
				}
			}
			targets := []string{"a", "b", "c"}
			f := broadcast.NewFanout(m, targets)
			for _, i := range f.Todo() {
				_, earlier := tt.earlier[targets[i]]
				require.False(t, earlier, "a target done earlier is not to do")
				if err, ok := tt.outcome[targets[i]]; ok {
					f.Report(i, err)
				}
			}
			err := f.Err()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 3, te.Total)
			d, hinted := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait, d)
			assert.Equal(t, tt.wait > 0, hinted)
		})
	}
}

func TestFanoutMarksAsItGoes(t *testing.T) {
	m := broadcast.NewMessage(validUpdate())
	f := broadcast.NewFanout(m, []string{"a", "b", "c"})
	f.Report(0, nil)
	f.Report(1, broadcast.Permanent(errors.New("550 gone")))
	f.Report(2, errors.New("451 later"))
	done, failure := m.Ledger.Done("a")
	assert.True(t, done)
	assert.Empty(t, failure)
	done, failure = m.Ledger.Done("b")
	assert.True(t, done)
	assert.Equal(t, "550 gone", failure)
	done, _ = m.Ledger.Done("c")
	assert.False(t, done, "a transient failure is not marked")
	assert.Equal(t, []int{0}, f.Delivered())
	assert.True(t, f.Reached())

	// The next attempt does only c.
	assert.Equal(t, []int{2}, broadcast.NewFanout(m, []string{"a", "b", "c"}).Todo())
}

// A channel cut short by the caller's deadline reports which targets got
// the update and which are pending, with their errors.
func TestPendingTargetsAfterDeadline(t *testing.T) {
	ch := broadcast.ChannelFunc("hooks", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		targets := []string{"fast.example", "slow.example", "never.example"}
		f := broadcast.NewFanout(m, targets)
		f.Report(0, nil)
		<-ctx.Done()
		f.Report(1, ctx.Err())
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	rep, err := b.Send(ctx, validUpdate())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	r := rep.Results[0]
	assert.Equal(t, []string{"fast.example"}, r.Delivered)
	require.Len(t, r.Pending, 2)
	assert.Equal(t, "slow.example", r.Pending[0].Target)
	assert.ErrorIs(t, r.Pending[0].Err, context.DeadlineExceeded)
	assert.Equal(t, "never.example", r.Pending[1].Target)
	assert.Contains(t, err.Error(), "slow.example")
}

// Posted keeps each target's post in the Ledger; Receipt names the posts of
// this attempt and of earlier ones, in the targets' order, and no post of a
// target not delivered.
func TestFanoutPostedReceipt(t *testing.T) {
	m := broadcast.NewMessage(validUpdate())
	targets := []string{"!a", "!b", "!c", "!d"}
	post := func(target string) broadcast.Receipt {
		return broadcast.Receipt{ID: "ev-" + target, URL: "https://chat.example/" + target,
			Meta: map[string]string{target: "ev-" + target}}
	}

	f := broadcast.NewFanout(m, targets)
	f.Report(0, errBusyTarget) // !a: pending
	f.Posted(1, post("!b"))
	f.Report(2, broadcast.Permanent(errors.New("no such room")))
	f.Posted(3, post("!d"))
	require.Error(t, f.Err())
	p, ok := m.Ledger.Post("!b")
	require.True(t, ok, "the post is in the Ledger")
	assert.Equal(t, post("!b"), p)
	done, failure := m.Ledger.Done("!b")
	assert.True(t, done && failure == "", "and !b is marked delivered")

	m.Attempt = 2
	f = broadcast.NewFanout(m, targets)
	assert.Equal(t, []int{0}, f.Todo())
	f.Posted(0, post("!a"))
	require.NoError(t, f.Err())
	r := f.Receipt()
	assert.Equal(t, "ev-!a", r.ID, "the first target's post")
	assert.Equal(t, "https://chat.example/!a", r.URL)
	assert.Equal(t, map[string]string{"!a": "ev-!a", "!b": "ev-!b", "!d": "ev-!d"}, r.Meta,
		"this attempt's post and the earlier ones; none of !c, which failed")

	r.Meta["!b"] = "changed"
	p, _ = m.Ledger.Post("!b")
	assert.Equal(t, "ev-!b", p.Meta["!b"], "the Ledger keeps its own copy")
}

// Without a Ledger (a Retractor's fan-out: Retract gets no Message), no
// one else records the targets that failed for good, so Err names them,
// Permanent, even when other targets were reached: a deletion refused in
// one room of three is not a retraction done.
func TestFanoutWithoutLedgerReportsPermanentFailures(t *testing.T) {
	f := broadcast.NewFanout(broadcast.Message{}, []string{"ops", "eng", "support"})
	for _, i := range f.Todo() {
		if i == 1 {
			f.Report(i, broadcast.Permanent(errors.New("cant_delete_message")))
			continue
		}
		f.Report(i, nil)
	}
	err := f.Err()
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Total)
	require.Len(t, te.Failures, 1)
	assert.Equal(t, "eng", te.Failures[0].Target)
	assert.Empty(t, te.Pending)
}

// Without a Ledger (a Retractor's fan-out), Err lists the targets in their
// order, not in the order concurrent reports arrived: the same outcome
// reads the same every time.
func TestFanoutErrListsTargetsInOrderWithoutALedger(t *testing.T) {
	targets := []string{"a", "b", "c", "d"}
	want := &broadcast.TargetsError{Total: 4,
		Pending:  []broadcast.TargetFailure{{Target: "a", Err: errBusyTarget}, {Target: "c", Err: errBusyTarget}},
		Failures: []broadcast.TargetFailure{{Target: "b", Err: errRefused}, {Target: "d", Err: errRefused}},
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 3, 0, 1}} {
		f := broadcast.NewFanout(broadcast.Message{}, targets)
		for _, i := range order {
			if i%2 == 0 {
				f.Report(i, errBusyTarget)
			} else {
				f.Report(i, errRefused)
			}
		}
		var te *broadcast.TargetsError
		require.ErrorAs(t, f.Err(), &te)
		assert.Equal(t, want.Total, te.Total)
		assert.Equal(t, want.Pending, te.Pending, "reported in the order %v", order)
		assert.Equal(t, want.Failures, te.Failures, "reported in the order %v", order)
		assert.True(t, strings.HasPrefix(te.Error(), "post not deleted on 4 of 4 targets"), "a Retract's: %v", te)
	}
}

var (
	errBusyTarget = errors.New("503")
	errRefused    = broadcast.Permanent(errors.New("403"))
)

// TestMessageKeyOfAnUpdateWithoutID: a Message built by hand, whose Update
// has no ID, is keyed by the ID the update would be given (its content's),
// as NewMessage and the Broadcaster key it: two such updates never share
// a key, so that a platform honouring keys never answers one with the
// other's post.
func TestMessageKeyOfAnUpdateWithoutID(t *testing.T) {
	u := validUpdate()
	u.ID = ""
	v := u
	v.Body = "Something else entirely."
	mu, mv := broadcast.Message{Update: u, Attempt: 1}, broadcast.Message{Update: v, Attempt: 1}
	assert.NotEqual(t, mu.Key(""), mv.Key(""), "two updates without an ID")
	assert.Equal(t, broadcast.NewMessage(u).Key("t"), mu.Key("t"), "the key NewMessage's Message gives")
	assert.Equal(t, mu.Key("t"), mu.Key("t"))
}

// Only the zero Message, which a Retract passes, makes a Fanout book
// deletions. A Send's Message built by hand (a test calling a channel
// directly, without NewMessage) may lack a Ledger, an Attempt, an ID and
// a Title, and still carry an update: its error said "post not deleted"
// of targets it failed to post to. It now says they were not delivered.
func TestFanoutOfAHandMadeSendMessageSaysNotDelivered(t *testing.T) {
	for name, m := range map[string]broadcast.Message{
		"a body":   {Update: broadcast.Update{Body: "Investigating."}},
		"a thread": {Thread: broadcast.Thread{Root: broadcast.Receipt{ID: "p1"}}},
	} {
		t.Run(name, func(t *testing.T) {
			f := broadcast.NewFanout(m, []string{"a", "b"})
			f.Report(0, nil)
			f.Report(1, errRefused)
			var te *broadcast.TargetsError
			require.ErrorAs(t, f.Err(), &te)
			assert.True(t, strings.HasPrefix(te.Error(), "1 of 2 targets not delivered"), "a Send's: %v", te)
		})
	}
}
