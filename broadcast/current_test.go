package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Message.Current is false only for a correction of an update older than
// the thread's latest post: a status shown apart from the posts would go
// back in time.
func TestMessageCurrent(t *testing.T) {
	for _, c := range []struct {
		name         string
		id, corrects string
		last         string // Thread.Last.UpdateID
		current      bool
	}{
		{"first update", "u1", "", "", true},
		{"later update", "u2", "", "u1", true},
		{"correction of the latest", "c1", "u2", "u2", true},
		{"correction with no thread", "c1", "u1", "", true},
		{"the correction is the latest", "c1", "u1", "c1", true},
		{"correction of an earlier update", "c1", "u1", "u2", false},
	} {
		m := broadcast.Message{Update: broadcast.Update{ID: c.id, Corrects: c.corrects}}
		m.Thread.Last.UpdateID = c.last
		assert.Equal(t, c.current, m.Current(), c.name)
	}
}
