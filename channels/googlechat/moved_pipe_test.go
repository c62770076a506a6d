package googlechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Google Chat reads "<https://…|text>" as a link showing text of its own
// (https://developers.google.com/workspace/chat/format-messages), so a
// link destination that a cut moves after the ellipsis within "<" and ">"
// must not carry a "|": one in the URL is written "%7C", as a browser
// sends it, and the link shows its URL, not words of the user's text.
func TestMovedDestinationForgesNoLinkText(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Overrides = map[string]string{"ops-chat": strings.Repeat("a ", MaxText/2-20) +
		"see [the page](https://evil.example/a|Status%20page.) for more words than fit in the room left."}
	send(t, ch, broadcast.NewMessage(u))
	text := f.sent()[0].body["text"].(string)
	assert.Contains(t, text, "…")
	assert.NotContains(t, text, "a|Status", "a link with text of the user's")
	assert.Contains(t, text, "<https://evil.example/a%7CStatus%20page.>")
}
