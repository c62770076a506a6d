package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A title that leaves a right-to-left override open (U+202E) cannot
// reverse the line that follows it in the thread's status bar: Slack
// shows the bar's text as one block, where a line break ends no override,
// so "Updated … Every update is in the thread." would read backwards. The
// bar closes it at the title's end (U+202C), as the templates close every
// field of the message.
func TestStatusBarClosesTitleOverride(t *testing.T) {
	u := broadcast.Update{Title: "\u202egnp.exe", Status: broadcast.StatusMonitoring}
	text := statusBar(u).Text
	title, rest, ok := strings.Cut(text, "\n")
	assert.True(t, ok, text)
	assert.True(t, strings.HasSuffix(title, "\u202c"), "the override is closed before the line break: %q", title)
	assert.NotContains(t, rest, "\u202e")
}
