package email

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// TestChainBounded: the chain a receipt keeps grows with the thread up to
// maxChain IDs, the first and the latest; the References header holds
// MaxReferences of them, the first and the latest too.
func TestChainBounded(t *testing.T) {
	ids := make([]string, 3*maxChain)
	for i := range ids {
		ids[i] = fmt.Sprintf("<u%d.cdn@example.com>", i)
	}
	root := broadcast.Receipt{ID: ids[0]}
	last := broadcast.Receipt{ID: ids[len(ids)-1], Meta: map[string]string{"references": strings.Join(ids[:len(ids)-1], " ")}}
	refs := chain(root, last)
	assert.Len(t, refs, maxChain)
	assert.Equal(t, append([]string{ids[0]}, ids[len(ids)-maxChain+1:]...), refs)
	header := capReferences(refs)
	assert.Equal(t, append([]string{ids[0]}, ids[len(ids)-MaxReferences+1:]...), header)

	short := broadcast.Receipt{ID: ids[30], Meta: map[string]string{"references": strings.Join(ids[:30], " ")}}
	assert.Equal(t, ids[:31], chain(root, short), "kept whole below maxChain")
}
