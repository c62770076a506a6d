package statuspage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The arrows of the pages' links point the way the reader goes: back
// (to the current status, to a newer month) toward where a line starts,
// forward (to an older month) toward where it ends. Arrows are not
// mirrored by the bidirectional algorithm, so a page written right to
// left showed "← Current status" pointing into its words, and the months'
// pager pointing the wrong ways.
func TestArrowsPointTheReadingDirection(t *testing.T) {
	for _, tc := range []struct{ lang, back, forward string }{
		{"en", "←", "→"}, {"ar", "→", "←"}, {"he", "→", "←"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := newPage(t, statuspage.Config{Language: tc.lang})
			for i, month := range []time.Month{time.January, time.February, time.March} {
				u := update(fmt.Sprintf("m%d", i), fmt.Sprintf("u%d", i), 0, broadcast.StatusResolved)
				u.Time = time.Date(2025, month, 3, 10, 0, 0, 0, time.UTC)
				p.send(u)
			}
			site := p.site()
			links := func(page string) map[string]string {
				out := map[string]string{}
				for _, a := range statuspage.Find(site.Pages[page], "a") {
					out[statuspage.Attr(a, "href")] = statuspage.Text(a)
				}
				return out
			}
			back := statuspage.Text(statuspage.Find(statuspage.FindClass(site.Pages["incidents/m1.html"], "back")[0], "a")[0])
			assert.Equal(t, tc.back+" Current status", back, "the incident page's link back")
			feb := links("history-2025-02.html")
			assert.Equal(t, tc.back+" March 2025", feb["history-2025-03.html"], "the newer month")
			assert.Equal(t, "January 2025 "+tc.forward, feb["history-2025-01.html"], "the older month")
		})
	}
}
