package statuspage_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Every page has one h1 and headings that never skip a level, and every
// time it shows is a <time> whose datetime is a valid date, month or
// RFC 3339 time (HTML's "valid date string", "valid month string" and
// "valid global date and time string"): in the history, the start and end
// of each incident too, which were plain text.
func TestPageStructure(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(maintenance("m", "m1", 1, broadcast.StatusScheduled))
	p.send(update("b", "b1", 2, broadcast.StatusInvestigating))
	p.send(update("b", "b2", 30, broadcast.StatusResolved))
	for name, doc := range p.site().Pages {
		level := 0
		h1 := 0
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode || len(n.Data) != 2 || n.Data[0] != 'h' {
				continue
			}
			l, err := strconv.Atoi(n.Data[1:])
			if err != nil {
				continue
			}
			if l == 1 {
				h1++
			}
			assert.LessOrEqual(t, l, level+1, "%s: <%s> %q after an h%d", name, n.Data, statuspage.Text(n), level)
			level = l
		}
		assert.Equal(t, 1, h1, "%s: <h1>s", name)
		for _, tm := range statuspage.Find(doc, "time") {
			dt := statuspage.Attr(tm, "datetime")
			ok := false
			for _, layout := range []string{"2006-01", time.DateOnly, time.RFC3339} {
				if _, err := time.Parse(layout, dt); err == nil {
					ok = true
				}
			}
			assert.True(t, ok, "%s: <time datetime=%q>", name, dt)
		}
		if !strings.HasPrefix(name, "history") {
			continue
		}
		for _, li := range statuspage.Find(doc, "li") {
			if len(statuspage.Find(li, "a")) > 0 && strings.Contains(statuspage.Text(li), "UTC") {
				assert.Len(t, statuspage.Find(li, "time"), 2, "%s: the start and end of %q", name, statuspage.Text(li))
			}
		}
	}
}
