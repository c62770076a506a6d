package broadcast_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A correction whose chain of corrections (each correcting the one
// before, from an older update a) is longer than the Broadcaster walks
// up is not told Current while a newer update b is up: the walk that ran
// out cannot tell which update the chain starts from, and answers the
// safe answer, not current, rather than current.
func TestMessageCurrentChainLongerThanTheWalk(t *testing.T) {
	for _, del := range []bool{false, true} {
		t.Run(fmt.Sprint("retractor=", del), func(t *testing.T) {
			b, x := sentOlderThenNewer(t, del)
			var ids []string
			prev := "a"
			for i := range 70 {
				id := fmt.Sprint("c", i)
				correctWith(t, b, prev, id)
				ids = append(ids, id)
				prev = id
			}
			want := make([]bool, len(ids))
			assert.Equal(t, want, x.currentOf(ids...), "b is up")
		})
	}
}
