package broadcast

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The key of a retracted post's mark: a receipt without Meta keeps the
// key earlier versions wrote (a durable Store holds their marks); posts
// sharing an id in two chats (Meta) get keys of their own.
func TestRetractedPostKey(t *testing.T) {
	assert.Equal(t, "\x00retracted post\x005", retractedPost(&Receipt{ID: "5"}), "the key earlier versions wrote")
	ops := retractedPost(&Receipt{ID: "5", Meta: map[string]string{"chat": "ops"}})
	status := retractedPost(&Receipt{ID: "5", Meta: map[string]string{"chat": "status"}})
	assert.NotEqual(t, ops, status)
	assert.NotEqual(t, ops, retractedPost(&Receipt{ID: "5"}))
	assert.NotEqual(t, retractedPost(&Receipt{ID: "5", Meta: map[string]string{"a": "bc"}}),
		retractedPost(&Receipt{ID: "5", Meta: map[string]string{"ab": "c"}}))
}
