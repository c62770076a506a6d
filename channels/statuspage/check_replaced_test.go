package statuspage

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A version that Sends replace while Check reads it (two Sends: the
// first keeps it as the previous version, the second recycles it into
// its own) is not damage: Check reads the version current then. Before,
// it failed for good as "state is corrupt: …: missing".
func TestCheckReadsVersionReplacedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	for i := range 2 {
		send(t, c, ChildUpdate("r", i))
	}
	sent := false
	c.hook = func(step string) {
		if step != "check: current read" || sent {
			return
		}
		sent = true
		for i := 2; i < 4; i++ {
			send(t, c, ChildUpdate("r", i))
		}
		assert.NotContains(t, versionNames(t, dir), versionName(2), "the version Check read is gone")
	}
	require.NoError(t, c.Check(context.Background()))
	assert.True(t, sent)
}

// A version replaced at every read gives up after maxCheckReads with an
// error that is not permanent: nothing is damaged.
func TestCheckVersionReplacedAtEveryRead(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("e", 0))
	next, reads := 1, 0
	c.hook = func(step string) {
		if step != "check: current read" {
			return
		}
		reads++
		for range 2 {
			send(t, c, ChildUpdate("e", next))
			next++
		}
	}
	err := c.Check(context.Background())
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "replaced by a newer one while read")
	assert.Equal(t, maxCheckReads, reads)
}
