package matrix

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The edits the channel remembers stay bounded by maxMadePosts posts also
// where they are never all forgotten: a retraction refused for good (403)
// forgets none, and one that ran alongside a correction forgets the edits
// it redacted alone (see forgetEdits). The post that keeps edits keeps its
// place among the oldest, and is forgotten first as more posts come.
func TestRememberedEditsBoundedWhenNeverForgotten(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	ch := newTestChannel(t, confConfig(f.srv.URL))
	postOf := func(i int) post { return post{room: "!ops7Kq:example.org", event: fmt.Sprintf("$post%d", i)} }
	first := postOf(0)
	ch.rememberEdit(first, "$edit0a")
	ch.rememberEdit(first, "$edit0b")
	ch.forgetEdits(first, []string{"$edit0a"}) // $edit0b made while a retraction ran
	assert.Equal(t, []string{"$edit0b"}, ch.editsMade(first))

	for i := 1; i < 3*maxMadePosts; i++ {
		ch.rememberEdit(postOf(i), fmt.Sprintf("$edit%da", i))
		ch.rememberEdit(postOf(i), fmt.Sprintf("$edit%db", i)) // a retraction refused: none forgotten
		ch.s.mu.Lock()
		require.LessOrEqual(t, len(ch.s.made), maxMadePosts)
		require.Len(t, ch.s.madeOrder, len(ch.s.made))
		ch.s.mu.Unlock()
	}
	assert.Empty(t, ch.editsMade(first), "the oldest post forgotten first")
	last := postOf(3*maxMadePosts - 1)
	assert.Len(t, ch.editsMade(last), 2)
}
