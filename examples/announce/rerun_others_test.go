package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A channel that failed says that the same command again tries it; without
// -state that command also posts again to every channel that delivered, and
// the summary must say so, naming them, rather than let a user re-run it
// into a second post there. With -state the re-run skips them, and nothing
// more is said.
func TestFailureWithoutStateSaysARerunPostsAgainElsewhere(t *testing.T) {
	for _, durable := range []bool{true, false} {
		t.Run(map[bool]string{true: "with -state", false: "without -state"}[durable], func(t *testing.T) {
			first, up := failAndRerun(t, durable, func(up, down string) string {
				return "  - {type: webhook, name: subscribers, url: " + up + "/in, secret: \"${WEBHOOK_SECRET}\"}\n" +
					"  - {type: webhook, name: partners, url: " + down + "/in, secret: \"${WEBHOOK_SECRET}\"}\n"
			})
			assert.Contains(t, first.stderr, "announce: partners: no target delivered, 1 pending: the same command again tries it\n")
			if durable {
				assert.NotContains(t, first.stderr, "without -state")
				assert.Len(t, up.updates(), 1, "the re-run skips the channel that has it")
				return
			}
			assert.Contains(t, first.stderr, "announce: without -state nothing records what was delivered: "+
				"the same command again also posts again to subscribers "+
				"(give -state FILE, the same on every run, to reach only the channels that missed it)\n")
			assert.Len(t, up.updates(), 2, "what the message says: the re-run posts to it again")
		})
	}
}
