package broadcast

import (
	"fmt"
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
	// The Meta goes in as its digest, whatever its size; the key earlier
	// versions made of the whole Meta is read too, up to maxLegacyKey.
	big := map[string]string{}
	for i := range 5000 {
		big[fmt.Sprint("chat:", i)] = fmt.Sprint(1_000_000 + i)
	}
	assert.Less(t, len(retractedPost(&Receipt{ID: "5", Meta: big})), 128)
	assert.Equal(t, [4]string{opRetract.markID("u1"), ops, "\x00retracted post\x005", "\x00retracted post\x005\x00meta\x004:chat;3:ops;"},
		retractionKeys(&Receipt{ID: "5", UpdateID: "u1", Meta: map[string]string{"chat": "ops"}}))
	assert.Empty(t, retractionKeys(&Receipt{ID: "5", UpdateID: "u1", Meta: big})[3], "too long to read")
}
