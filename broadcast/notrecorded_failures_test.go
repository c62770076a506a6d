package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A channel that reached some targets and was refused by others, one of
// whose marks the Store could not write, says both in its error: the
// refused targets (a *TargetsError, as without the lost mark) and
// ErrNotRecorded. The error named the lost mark only, so that a caller
// reading the refused targets from it (to drop bounced addresses) found
// none while Result.Failures listed them.
func TestNotRecordedKeepsTheTargetsFailed(t *testing.T) {
	for _, tt := range []struct {
		name  string
		store broadcast.Store
	}{
		{"a target's mark", &markFailing{MemoryStore: broadcast.NewMemoryStore(), bad: "a"}},
		{"the channel's mark", &markFailing{MemoryStore: broadcast.NewMemoryStore(), bad: ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
			ch.script = func(_ int, t string) error {
				if t == "b" {
					return errRefusedT
				}
				return nil
			}
			var ev allEvents
			b := newBroadcaster(t, broadcast.Options{Store: tt.store, OnEvent: ev.on}, ch)
			u := validUpdate()
			u.ID = "u1"
			rep, err := b.Send(context.Background(), u)
			require.ErrorIs(t, err, broadcast.ErrNotRecorded)
			res := rep.Results[0]
			assert.Equal(t, []string{"b"}, targetNames(res.Failures))
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te, "the refused targets are in the error")
			assert.Equal(t, []string{"b"}, targetNames(te.Failures))
			assert.Contains(t, err.Error(), "550 no such user")
			assert.True(t, broadcast.IsPermanent(res.Err))
			fin := ev.finals("mail", "u1")
			require.Len(t, fin, 1)
			assert.Equal(t, broadcast.EventDelivered, fin[0].Kind)
			assert.Equal(t, res.Err, fin[0].Err, "the Event says what the Result says")
		})
	}
}
