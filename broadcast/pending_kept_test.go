package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// threadFailsAfter fails every read of a thread after the first n.
type threadFailsAfter struct {
	*broadcast.MemoryStore
	n     int32
	reads atomic.Int32
}

func (s *threadFailsAfter) Thread(ctx context.Context, incident, channel string) (broadcast.Thread, error) {
	if s.reads.Add(1) > s.n {
		return broadcast.Thread{}, errFailAt
	}
	return s.MemoryStore.Thread(ctx, incident, channel)
}

// A fan-out whose later attempts fail before calling the channel (the
// Store cannot be read) still lists in Pending the targets its last call
// left undelivered: a later Send reaches them. Pending was empty, as if
// every target had the update.
func TestPendingKeptWhenLaterAttemptsFailBeforeTheChannel(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.script = func(call int, t string) error {
		if t == "b" {
			return errLaterT
		}
		return nil
	}
	st := &threadFailsAfter{MemoryStore: broadcast.NewMemoryStore(), n: 1}
	b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	t.Logf("%+v", res)
	assert.Equal(t, []string{"a", "c"}, sorted(res.Delivered))
	assert.Equal(t, []string{"b"}, targetNames(res.Pending))
}
