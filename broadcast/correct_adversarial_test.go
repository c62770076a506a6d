package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// finals counts, per channel and update, the events that end a delivery.
type finals struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *finals) on(e broadcast.Event) {
	switch e.Kind {
	case broadcast.EventDelivered, broadcast.EventFailed, broadcast.EventSkipped,
		broadcast.EventSuperseded, broadcast.EventNotSelected:
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n == nil {
			f.n = map[string]int{}
		}
		f.n[e.Channel+"/"+e.UpdateID]++
	}
}

func (f *finals) get(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[key]
}

// A correction's Job run on a channel before its original's (delivered
// elsewhere already) posts the correction there; the original's Job then
// finds its place taken and posts nothing: the wrong text never follows
// its correction.
func TestCorrectJobBeforeItsOriginalsJob(t *testing.T) {
	for _, timed := range []bool{false, true} {
		t.Run(map[bool]string{false: "default Time", true: "original's Time"}[timed], func(t *testing.T) {
			x, y := &script{name: "x"}, &script{name: "y"}
			var ev finals
			b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on}, x, y)
			ctx := context.Background()
			a, _ := olderAndNewer("b")
			sends, err := b.Jobs(broadcast.JobSend, a, "")
			require.NoError(t, err)
			require.NoError(t, b.RunJob(ctx, sends[1], 1).Err)
			fix := a
			fix.ID, fix.Body = "a-fix", "We are investigating elevated error rates in Europe."
			if !timed {
				fix.Time = time.Time{}
			}
			fixes, err := b.Jobs(broadcast.JobCorrect, fix, "a")
			require.NoError(t, err)

			res := b.RunJob(ctx, fixes[0], 1)
			require.NoError(t, res.Err)
			require.Equal(t, 1, x.count())
			res = b.RunJob(ctx, sends[0], 1)
			require.NoError(t, res.Err)
			assert.True(t, res.Superseded, "a is not posted after its correction")
			assert.Equal(t, 1, x.count())
			assert.Equal(t, 1, ev.get("x/a"))
			assert.Equal(t, 1, ev.get("x/a-fix"))
		})
	}
}

// A chain of corrections on an Editor edits the one post each time; on a
// channel that cannot edit, each is posted in the thread once.
func TestCorrectionChainEditsOnePost(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	irc := &script{name: "irc"}
	var ev finals
	b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on}, slack, irc)
	ctx := context.Background()
	a, _ := olderAndNewer("b")
	rep, err := b.Send(ctx, a)
	require.NoError(t, err)
	post := rep.Results[0].Receipt.ID
	prev := "a"
	for _, id := range []string{"f1", "f2", "f3"} {
		fix := a
		fix.ID, fix.Body, fix.Time = id, "Correction "+id, fix.Time.Add(0)
		rep, err = b.Correct(ctx, prev, fix)
		require.NoError(t, err, id)
		assert.True(t, rep.Results[0].Edited, id)
		assert.False(t, rep.Results[1].Edited, id)
		assert.Equal(t, post, rep.Results[0].Receipt.ID, id)
		assert.Equal(t, 1, ev.get("slack/"+id), id)
		assert.Equal(t, 1, ev.get("irc/"+id), id)
		// Again: skipped everywhere, nothing edited or posted twice.
		again, err := b.Correct(ctx, prev, fix)
		require.NoError(t, err, id)
		assert.True(t, again.Results[0].Skipped, id)
		assert.True(t, again.Results[1].Skipped, id)
		prev = id
	}
	require.Len(t, slack.edits, 3)
	for _, e := range slack.edits {
		assert.Equal(t, post, e.ID)
	}
	assert.Equal(t, 1, slack.count())
	assert.Equal(t, 4, irc.count())
}

// editFails is an Editor whose Edit answers from a list of errors.
type editFails struct {
	script
	mu    sync.Mutex
	errs  []error
	edits int
}

func (e *editFails) Edit(_ context.Context, _ broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.edits++
	if e.edits <= len(e.errs) && e.errs[e.edits-1] != nil {
		return broadcast.Receipt{}, e.errs[e.edits-1]
	}
	return prev, nil
}

// An Edit that fails for good fails the correction (no post anew, which
// only a post gone or not editable gets); one that fails transiently is
// retried; one whose post is gone posts the correction in the thread.
func TestCorrectWhenEditFails(t *testing.T) {
	tests := []struct {
		name          string
		errs          []error
		wantErr, perm bool
		edited        bool
		posts, edits  int
	}{
		{"permanently", []error{broadcast.Permanent(errors.New("403 forbidden"))}, true, true, false, 1, 1},
		{"transiently", []error{errFlaky, errFlaky}, false, false, true, 1, 3},
		{"post gone", []error{broadcast.Permanent(broadcast.ErrPostGone)}, false, false, false, 2, 1},
		{"not editable", []error{broadcast.ErrNotEditable}, false, false, false, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &editFails{script: script{name: "x"}, errs: tt.errs}
			var ev finals
			b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on}, ch)
			ctx := context.Background()
			a, _ := olderAndNewer("b")
			_, err := b.Send(ctx, a)
			require.NoError(t, err)
			fix := a
			fix.ID, fix.Body = "a-fix", "Correction."
			rep, err := b.Correct(ctx, "a", fix)
			require.NotNil(t, rep)
			res := rep.Results[0]
			if tt.wantErr {
				require.Error(t, err)
				assert.Equal(t, tt.perm, broadcast.IsPermanent(res.Err))
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.edited, res.Edited)
			assert.Equal(t, tt.posts, ch.count())
			assert.Equal(t, tt.edits, ch.edits)
			assert.Equal(t, 1, ev.get("x/a-fix"))
		})
	}
}

// flakyStore fails the first write of each kind armed for update "a-fix"
// on channel x.
type flakyStore struct {
	*broadcast.MemoryStore
	save, mark, done atomic.Bool
}

var errStoreDown = errors.New("store: connection refused")

func (s *flakyStore) SaveReceipt(ctx context.Context, incident, update string, r broadcast.Receipt) error {
	if update == "a-fix" && r.Channel == "x" && s.save.CompareAndSwap(true, false) {
		return errStoreDown
	}
	return s.MemoryStore.SaveReceipt(ctx, incident, update, r)
}

func (s *flakyStore) Mark(ctx context.Context, update, channel, target string, failure error) error {
	if update == "a-fix" && channel == "x" && target == "" && s.mark.CompareAndSwap(true, false) {
		return errStoreDown
	}
	return s.MemoryStore.Mark(ctx, update, channel, target, failure)
}

func (s *flakyStore) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	if update == "a-fix" && channel == "x" && s.done.CompareAndSwap(true, false) {
		return false, "", errStoreDown
	}
	return s.MemoryStore.Done(ctx, update, channel, target)
}

// A Store failing at a step of a Correct never has the correction posted
// twice, nor lost silently: a write that failed says ErrNotRecorded, and
// the same Correct again posts nothing more.
func TestCorrectStoreFailures(t *testing.T) {
	for _, step := range []string{"save", "mark", "done"} {
		for _, editor := range []bool{false, true} {
			t.Run(step+map[bool]string{false: "", true: "/editor"}[editor], func(t *testing.T) {
				st := &flakyStore{MemoryStore: broadcast.NewMemoryStore()}
				var ch broadcast.Channel
				sc := &editable{script: script{name: "x"}}
				if editor {
					ch = sc
				} else {
					ch = &sc.script
				}
				var ev finals
				b := newBroadcaster(t, broadcast.Options{Store: st, OnEvent: ev.on}, ch)
				ctx := context.Background()
				a, _ := olderAndNewer("b")
				_, err := b.Send(ctx, a)
				require.NoError(t, err)
				fix := a
				fix.ID, fix.Body = "a-fix", "Correction."
				map[string]*atomic.Bool{"save": &st.save, "mark": &st.mark, "done": &st.done}[step].Store(true)
				rep, err := b.Correct(ctx, "a", fix)
				require.NotNil(t, rep)
				if step == "done" {
					require.NoError(t, err, "a read that failed is retried")
				} else if err != nil {
					require.ErrorIs(t, err, broadcast.ErrNotRecorded)
				} else {
					t.Errorf("the %s that failed left no error", step)
				}
				assert.Equal(t, 1, ev.get("x/a-fix"))
				posts := sc.count()
				if !editor {
					// A newer update follows the correction in the thread.
					_, n := olderAndNewer("b")
					_, err = b.Send(ctx, n)
					require.NoError(t, err)
					posts++
				}
				again, err := b.Correct(ctx, "a", fix)
				require.NoError(t, err)
				assert.True(t, again.Results[0].Skipped)
				if step != "save" {
					assert.NotZero(t, again.Results[0].Receipt.ID, "the receipt saved")
				}
				sc.mu.Lock()
				edits := len(sc.edits)
				sc.mu.Unlock()
				if editor {
					assert.Equal(t, 1, edits, "edited once")
					assert.Equal(t, 1, sc.count())
				} else {
					assert.Equal(t, posts, sc.count(), "the correction posted once")
				}
			})
		}
	}
}

// An older update sent again after a newer one reached a channel is
// Superseded there, never posted, while a Correct of it runs at the same
// time; each delivery ends with one event.
func TestResendOfOlderUpdateWhileItsCorrectionRuns(t *testing.T) {
	var fail sync.Map
	x, y := &script{name: "x"}, &script{name: "y"}
	var ev finals
	b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on}, refusing("x", x, &fail), y)
	ctx := context.Background()
	a, n := olderAndNewer("b")
	fail.Store("x/a", true)
	_, err := b.Send(ctx, a)
	require.Error(t, err, "a missed x")
	fail.Delete("x/a")
	_, err = b.Send(ctx, n)
	require.NoError(t, err)

	fix := a
	fix.ID, fix.Body = "a-fix", "We are investigating elevated error rates in Europe."
	var wg sync.WaitGroup
	var resend, corrected *broadcast.Report
	wg.Add(2)
	go func() {
		defer wg.Done()
		var err error
		resend, err = b.Send(ctx, a)
		assert.NoError(t, err)
	}()
	go func() {
		defer wg.Done()
		var err error
		corrected, err = b.Correct(ctx, "a", fix)
		assert.NoError(t, err)
	}()
	wg.Wait()
	require.NotNil(t, resend)
	require.NotNil(t, corrected)
	assert.True(t, resend.Results[0].Superseded)
	assert.True(t, resend.Results[1].Skipped)
	for i := range x.count() {
		assert.NotEqual(t, "a", x.message(i).Update.ID, "a is never posted on x")
	}
	assert.LessOrEqual(t, x.count(), 2, "b, and the correction at most once")
	assert.Equal(t, 1, ev.get("x/a-fix"))
	assert.Equal(t, 1, ev.get("y/a-fix"))
	assert.Equal(t, 2, ev.get("x/a"), "one final event per Send")
	assert.Equal(t, 2, ev.get("y/a"), "one final event per Send")
}
