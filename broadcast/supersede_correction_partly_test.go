package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An older update sent while a threaded correction of a newer update is
// still up on some targets only (a Retract of it deleted it on the
// others) is not posted on those targets: the correction, of a newer
// update, is up there. Where nothing newer is up, it is posted. So it is
// whether the newer update's own post is deleted on some targets only
// (found by TestEqualTimesRandomSequencesPartlyRetracted, seed 11) or on
// every one.
func TestOlderSendSupersededByAPartlyDeletedCorrection(t *testing.T) {
	for _, tt := range []struct {
		name string
		// keep: where the Retract of the newer update fails, nil for none.
		keep []string
		want map[string]bool // region: whether the older update is posted there
	}{
		{"newer update partly deleted", []string{"us"}, map[string]bool{"eu": false, "us": false, "ap": true}},
		{"newer update deleted", nil, map[string]bool{"eu": false, "us": true, "ap": true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for name, open := range partlyStores() {
				t.Run(name, func(t *testing.T) {
					ctx := context.Background()
					x := &regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}
					b := newBroadcaster(t, broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
					t0 := sendNewerD(t, b)
					correctD(t, b)

					retractC1ButOnEU(t, b, x)
					for _, r := range tt.keep {
						x.undeletable[r] = broadcast.Permanent(errors.New("403 Forbidden"))
					}
					_, err := b.Retract(ctx, "d")
					require.Equal(t, len(tt.keep) > 0, err != nil, "%v", err)
					clear(x.undeletable)

					older := validUpdate()
					older.ID, older.IncidentID, older.Time = "b", "inc", t0
					rep, err := b.Send(ctx, older)
					require.NoError(t, err)
					for _, r := range x.regions {
						assert.Equal(t, tt.want[r], slices.Contains(x.postedTo(r), "b"), "b posted on %s: %+v", r, rep.Results[0])
					}
				})
			}
		})
	}
}

// An in-place correction of a newer update shares its post: where a
// Retract of that update deleted the post, the correction is gone too,
// and an older update is posted there; where the post is up, it is
// superseded.
func TestOlderSendAfterAPartlyDeletedInPlaceCorrection(t *testing.T) {
	for name, open := range partlyStores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch := &goneRegions{regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}}
			b := newBroadcaster(t, broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			t0 := sendNewerD(t, b)
			rep := correctD(t, b)
			require.True(t, rep.Results[0].Edited)
			ch.mu.Lock()
			ch.undeletable["us"] = broadcast.Permanent(errors.New("403 Forbidden"))
			ch.mu.Unlock()
			_, err := b.Retract(ctx, "d")
			require.Error(t, err, "d's post, c1's too, is deleted on eu and ap only")

			older := validUpdate()
			older.ID, older.IncidentID, older.Time = "b", "inc", t0
			rep, err = b.Send(ctx, older)
			require.NoError(t, err)
			for r, want := range map[string]bool{"eu": true, "us": false, "ap": true} {
				assert.Equal(t, want, slices.Contains(ch.postedTo(r), "b"), "b posted on %s: %+v", r, rep.Results[0])
			}
		})
	}
}

// sendNewerD sends update d of incident inc, a minute after t0, an hour
// ago, through b, delivered, and returns t0.
func sendNewerD(t *testing.T, b *broadcast.Broadcaster) time.Time {
	t.Helper()
	t0 := time.Now().Add(-time.Hour).UTC().Round(0)
	d := validUpdate()
	d.ID, d.IncidentID, d.Time = "d", "inc", t0.Add(time.Minute)
	_, err := b.Send(context.Background(), d)
	require.NoError(t, err)
	return t0
}

// correctD corrects update d, sent by sendNewerD, with c1 through b and
// returns the correction's Report.
func correctD(t *testing.T, b *broadcast.Broadcaster) *broadcast.Report {
	t.Helper()
	fix := validUpdate()
	fix.ID, fix.IncidentID, fix.Body = "c1", "inc", "Corrected."
	rep, err := b.Correct(context.Background(), "d", fix)
	require.NoError(t, err)
	return rep
}

// retractC1ButOnEU retracts c1, made by correctD, through b while x
// cannot delete on eu: c1 is deleted on the other regions only.
func retractC1ButOnEU(t *testing.T, b *broadcast.Broadcaster, x *regions) {
	t.Helper()
	x.undeletable["eu"] = broadcast.Permanent(errors.New("403 Forbidden"))
	_, err := b.Retract(context.Background(), "c1")
	require.Error(t, err, "c1 is deleted on us and ap only")
	clear(x.undeletable)
}

// readCounter is a Store that counts its reads, and fails those of the
// keys that begin with failing, when set.
type readCounter struct {
	broadcast.Store
	mu      sync.Mutex
	reads   int
	failing string
}

func (s *readCounter) read(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.failing != "" && strings.HasPrefix(key, s.failing) {
		return errors.New("disk on fire")
	}
	return nil
}

func (s *readCounter) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

func (s *readCounter) Thread(ctx context.Context, incident, channel string) (broadcast.Thread, error) {
	if err := s.read(incident); err != nil {
		return broadcast.Thread{}, err
	}
	return s.Store.Thread(ctx, incident, channel)
}

func (s *readCounter) Receipt(ctx context.Context, update, channel string) (broadcast.Receipt, bool, error) {
	if err := s.read(update); err != nil {
		return broadcast.Receipt{}, false, err
	}
	return s.Store.Receipt(ctx, update, channel)
}

func (s *readCounter) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	if err := s.read(update); err != nil {
		return false, "", err
	}
	return s.Store.Done(ctx, update, channel, target)
}

// A Send on a channel that fans out, with nothing retracted, reads no
// more of the Store when the incident has a correction: the corrections
// of newer updates are read only by a Send that finds none of them up
// on a target.
func TestSendAfterACorrectionReadsNoMore(t *testing.T) {
	reads := map[bool]int{}
	for _, corrected := range []bool{false, true} {
		ctx := context.Background()
		s := &readCounter{Store: broadcast.NewMemoryStore()}
		x := &regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}
		b := newBroadcaster(t, broadcast.Options{Store: s, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
		t0 := time.Now().Add(-time.Hour).UTC().Round(0)
		for i, id := range []string{"a", "b", "c"} {
			u := validUpdate()
			u.ID, u.IncidentID, u.Time = id, "inc", t0.Add(time.Duration(i)*time.Minute)
			if id == "c" && corrected {
				fix := validUpdate()
				fix.ID, fix.IncidentID, fix.Body = "a1", "inc", "Corrected."
				_, err := b.Correct(ctx, "a", fix)
				require.NoError(t, err)
			}
			before := s.count()
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
			if id == "c" {
				reads[corrected] = s.count() - before
			}
		}
		for _, r := range x.regions {
			assert.Contains(t, x.postedTo(r), "c", r)
		}
	}
	t.Logf("reads of the Send of c: %v", reads)
	assert.Equal(t, reads[false], reads[true], "the Send of c, with a correction of a and without")
}

// A correction on a channel that fans out whose Store cannot read the
// record of the updates that reached its targets is delivered all the
// same, and says it is not recorded: a correction keeps no order.
func TestCorrectionDeliveredWhenTheRecordIsUnread(t *testing.T) {
	ctx := context.Background()
	s := &readCounter{Store: broadcast.NewMemoryStore()}
	x := &regions{name: "x", regions: []string{"eu", "us"}, undeletable: map[string]error{}}
	b := newBroadcaster(t, broadcast.Options{Store: s, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
	u := validUpdate()
	u.ID, u.IncidentID = "a", "inc"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	s.mu.Lock()
	s.failing = "\x00fanned out\x00"
	s.mu.Unlock()
	fix := validUpdate()
	fix.ID, fix.IncidentID, fix.Body = "a1", "inc", "Corrected."
	rep, err := b.Correct(ctx, "a", fix)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.ErrorContains(t, err, "a1 reaches targets of x")
	for _, r := range x.regions {
		assert.Contains(t, x.postedTo(r), "a1", r)
	}
	assert.ElementsMatch(t, []string{"eu", "us"}, rep.Results[0].Delivered)
}
