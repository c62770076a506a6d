package broadcast_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// editlessRooms is handRooms whose Edit cannot edit in some rooms at all
// (their platform has no edit): it reports broadcast.ErrNotSupported
// there, for good or not, and edits the others.
type editlessRooms struct {
	handRooms
	editless  map[string]bool
	permanent bool
	tries     map[string]int // by room: edits asked
}

func (r *editlessRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, r.targets)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range f.Todo() {
		room := r.targets[i]
		r.tries[room]++
		if r.editless[room] {
			err := fmt.Errorf("%s cannot edit: %w", room, broadcast.ErrNotSupported)
			if r.permanent {
				err = broadcast.Permanent(err)
			}
			f.Report(i, err)
			continue
		}
		r.edited = append(r.edited, room)
		f.Report(i, nil)
	}
	return prev, f.Err()
}

// A correction whose Edit says of some targets that their platform cannot
// edit (a *TargetsError whose targets' errors wrap ErrNotSupported) is
// posted anew, in the thread, on those targets, the others edited in
// place, as where the whole channel cannot edit: it was retried as a
// transient failure until the retries ran out (or, marked Permanent,
// failed for good), and those targets never got the correction.
func TestCorrectPostsAnewWhereATargetCannotEdit(t *testing.T) {
	for _, tt := range []struct {
		name                            string
		targets, editless, edited, anew []string
	}{
		{"the only room", []string{"ops"}, []string{"ops"}, nil, []string{"ops"}},
		{"one room of two", []string{"us", "eu"}, []string{"eu"}, []string{"us"}, []string{"eu"}},
	} {
		for _, permanent := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, permanent %v", tt.name, permanent), func(t *testing.T) {
				ch := &editlessRooms{handRooms: handRooms{name: "chat", targets: tt.targets,
					deleted: map[string]bool{}, frozen: map[string]bool{}},
					editless: map[string]bool{}, permanent: permanent, tries: map[string]int{}}
				for _, room := range tt.editless {
					ch.editless[room] = true
				}
				b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 3,
					InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}}, ch)
				ctx := context.Background()
				u := validUpdate()
				u.ID = "wrong"
				_, err := b.Send(ctx, u)
				require.NoError(t, err)

				fixed := validUpdate()
				fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
				rep, err := b.Correct(ctx, "wrong", fixed)
				require.NoError(t, err, "the correction reached every room")
				assert.Equal(t, tt.edited, ch.edited, "edited in place where the platform can")
				assert.Equal(t, append(tt.targets, tt.anew...), ch.posted, "posted anew, once, where it cannot")
				for _, room := range tt.editless {
					assert.Equal(t, 1, ch.tries[room], "%s's edit was asked once", room)
				}
				correction := ch.sends[len(ch.sends)-1]
				assert.Equal(t, "wrong", correction.Update.Corrects, "posted as a correction")
				assert.NotEmpty(t, correction.Thread.Last.ID, "in the incident's thread")
				assert.Empty(t, rep.Results[0].Pending)
				assert.Empty(t, rep.Results[0].Failures)

				again, err := b.Correct(ctx, "wrong", fixed)
				require.NoError(t, err)
				assert.True(t, again.Results[0].Skipped, "done once")
			})
		}
	}
}
