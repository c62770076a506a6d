package statuspage_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A HistoryDays of "forever" (more days than a time.Duration holds, about
// 292 years) shows the past incidents on the front page: the window's
// start used to overflow into the future and hide them all.
func TestHistoryDaysForever(t *testing.T) {
	for _, days := range []int{1_000_000, math.MaxInt} {
		p := newPage(t, statuspage.Config{HistoryDays: days})
		p.send(update("a", "a1", 0, broadcast.StatusResolved))
		var past []string
		for _, a := range statuspage.Find(statuspage.FindID(p.index(), "history"), "a") {
			past = append(past, statuspage.Attr(a, "href"))
		}
		assert.Contains(t, past, "incidents/a.html", "the front page's past incidents, HistoryDays %d", days)
	}
}
