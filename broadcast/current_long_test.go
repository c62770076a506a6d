package broadcast_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Corrections of an older update a, posted after a newer update b, say
// a's status while b is up: none is current, however many there are. The
// walk back from the thread's latest post to b spent its Store reads on
// the chain of each correction it passed, ran out after a score of them,
// and took the next correction for current; bounded at 64 posts, as the
// walks of the thread's links elsewhere, it told the last six current
// (see TestMessageCurrentWalkRunsOut for a walk that runs out).
func TestMessageCurrentPastManyCorrectionsOfOlder(t *testing.T) {
	for _, del := range []bool{false, true} {
		t.Run(fmt.Sprint("retractor=", del), func(t *testing.T) {
			b, x := sentOlderThenNewer(t, del)
			var ids []string
			for i := range 70 {
				id := fmt.Sprint("c", i)
				correctWith(t, b, "a", id)
				ids = append(ids, id)
			}
			want := make([]bool, len(ids))
			assert.Equal(t, want, x.currentOf(ids...), "b is up")
		})
	}
}

// sentOlderThenNewer returns a Broadcaster on one channel x, a
// currentByID that also deletes posts (deletingByID) when del is set,
// that has sent an older update a, investigating, an hour ago and a newer
// update b, resolved, a minute after it.
func sentOlderThenNewer(t *testing.T, del bool) (*broadcast.Broadcaster, *currentByID) {
	t.Helper()
	x := &currentByID{name: "x"}
	var ch broadcast.Channel = x
	if del {
		ch = deletingByID{x}
	}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("a", t0, broadcast.StatusInvestigating),
		updateAt("b", t0.Add(time.Minute), broadcast.StatusResolved),
	)
	return b, x
}

// A correction of the latest update of a long incident (more posts in
// the thread than the walk of Message.Current follows by default) is
// current: no post of a newer update is up. On a channel that deletes,
// where the walk goes back over every post still up, it was told not
// current once the thread held more than 64 posts, and a status page
// kept the status the correction put right.
func TestMessageCurrentCorrectsLatestOfLongIncident(t *testing.T) {
	for _, del := range []bool{false, true} {
		t.Run(fmt.Sprint("retractor=", del), func(t *testing.T) {
			x := &currentByID{name: "x"}
			var ch broadcast.Channel = x
			if del {
				ch = deletingByID{x}
			}
			b := newBroadcaster(t, broadcast.Options{}, ch)
			t0 := time.Now().Add(-2 * time.Hour).UTC()
			const n = 100
			for i := range n {
				sendAll(t, b, updateAt(fmt.Sprint("u", i), t0.Add(time.Duration(i)*time.Minute), broadcast.StatusIdentified))
			}
			correctWith(t, b, fmt.Sprint("u", n-1), "c")
			assert.Equal(t, []bool{true}, x.currentOf("c"), "a correction of the latest of %d updates", n)
		})
	}
}
