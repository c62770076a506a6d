package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

type pointerStore struct{ broadcast.Store }

// New refuses a Store that is a nil pointer (a *MemoryStore field never
// set, a durable Store whose Open failed), naming Options.Store. Before,
// New took it, and the first Send crashed the process (a nil
// *MemoryStore), or failed on every channel with a panic of the Store's.
func TestNewRefusesANilStore(t *testing.T) {
	chs := []broadcast.Channel{broadcast.ChannelFunc("x", noop)}
	for _, store := range []broadcast.Store{(*broadcast.MemoryStore)(nil), (*pointerStore)(nil)} {
		b, err := broadcast.New(chs, broadcast.Options{Store: store})
		assert.Nil(t, b)
		assert.ErrorContains(t, err, "broadcast: Options.Store: a nil ", "%T", store)
	}
}
