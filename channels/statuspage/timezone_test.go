package statuspage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// On a host whose local time is not UTC, the JSON still says its times
// in UTC, as its page.time_zone ("Etc/UTC") and Statuspage's API do: the
// write's clock is not written with the host's offset.
func TestTimesAreUTCWhateverTheHostZone(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.now = t0.In(time.FixedZone("CET", 3600))
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	site := p.site()
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case string:
			if _, err := time.Parse(time.RFC3339, v); err == nil {
				assert.True(t, strings.HasSuffix(v, "Z"), "%s: %s in UTC", path, v)
			}
		}
	}
	for name, v := range site.JSON {
		walk(name, v)
	}
}
