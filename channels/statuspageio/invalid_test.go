package statuspageio

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Message built by hand, which no Broadcaster validated, with what the
// API refuses (a name over MaxName, an unknown status) fails at once,
// permanently, with an error naming the field: nothing is sent to be
// refused after a round trip. So does an Edit of one; Preview, a dry run,
// refuses the update too.
func TestHandBuiltInvalidMessageIsRefusedBeforePosting(t *testing.T) {
	long := fullUpdate
	long.Title = strings.Repeat("x", MaxName+1)
	unknown := fullUpdate
	unknown.Status = "down"
	for _, tc := range []struct {
		name  string
		u     broadcast.Update
		field string
	}{
		{"name too long", long, "Title: 256 characters, more than 255"},
		{"unknown status", unknown, `Status: unknown value "down"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, nil)
			for _, m := range []broadcast.Message{broadcast.NewMessage(tc.u), {Update: tc.u, Attempt: 1}} {
				_, err := ch.Send(context.Background(), m)
				require.Error(t, err)
				assert.True(t, broadcast.IsPermanent(err), "%v", err)
				assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
				assert.Contains(t, err.Error(), tc.field)
			}
			_, err := ch.Preview(tc.u)
			require.Error(t, err, "Preview")
			assert.Contains(t, err.Error(), tc.field)
			prev := send(t, ch, fullUpdate, broadcast.Thread{})
			n := len(f.sent())
			_, err = ch.Edit(context.Background(), broadcast.NewMessage(tc.u), prev)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), tc.field)
			assert.Len(t, f.sent(), n, "requests after the valid update's")
		})
	}
}

// The Time a Message's update was given (by NewMessage, or by the
// Broadcaster for an update without one) may come after its NextUpdate:
// Send does not refuse that, so the channel posts it.
func TestFilledInTimeAfterNextUpdateIsPosted(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Time, u.NextUpdate = time.Time{}, time.Now().Add(-time.Hour)
	require.NoError(t, u.Validate())
	send(t, ch, u, broadcast.Thread{})
	assert.Equal(t, 1, f.incidentCount())
}
