package statuspage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Dir/current removed (by hand, or by a deploy or sync script that
// cleans links) while Dir/versions holds the page's versions: the next
// Send took the directory for a new one, published a page of its update
// alone and removed every older version, state and history with them,
// for good. It fails now, permanently, naming Dir/current and the
// version to link again, and leaves the versions as they are; once the
// link is back, the page goes on with all its updates.
func TestMissingCurrentKeepsTheHistory(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	p.send(update("a", "a2", 1, broadcast.StatusIdentified))
	current := filepath.Join(p.dir, "current")
	target, err := os.Readlink(current)
	require.NoError(t, err)
	require.NoError(t, os.Remove(current))

	for _, q := range []*page{p, newPage(t, statuspage.Config{Dir: p.dir})} { // this process, and after a restart
		_, err = q.ch.Send(context.Background(), broadcast.NewMessage(update("b", "b1", 2, broadcast.StatusInvestigating)))
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), current)
		assert.Contains(t, err.Error(), filepath.Dir(target))
		require.Error(t, q.ch.Check(context.Background()), "Check of a page whose current is gone")
		_, err = os.Stat(filepath.Join(p.dir, target))
		require.NoError(t, err, "the version current named")
	}

	require.NoError(t, os.Symlink(target, current))
	p.send(update("b", "b1", 2, broadcast.StatusInvestigating))
	assert.ElementsMatch(t, []string{"a1", "a2", "b1"}, keys(p.site().Updates()))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
