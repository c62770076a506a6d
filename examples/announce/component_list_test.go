package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// -component takes one component: a list typed into one
// ("CDN=major_outage,API=degraded_performance") is refused, naming the
// flag, where it went out as one component named "CDN=major_outage,API"
// with the last status. A name holding "=" or "," is still one name.
func TestComponentListRefused(t *testing.T) {
	for _, c := range []string{"CDN=major_outage,API=degraded_performance", "CDN=major_outage, API=degraded_performance",
		"CDN=major_outage API=degraded_performance", "CDN=Major_Outage;API=operational"} {
		r := announce(t, context.Background(), "", "-title", "T", "-status", "identified", "-component", c)
		assert.Equal(t, exitUsage, r.code, c)
		assert.Contains(t, r.stderr, `announce: -component: "`+c+`": a list; give each component its own -component, as -component CDN=major_outage -component API=degraded_performance`, c)
		assert.Empty(t, r.stdout, c)
	}
	for c, want := range map[string]string{
		"a=b=major_outage":             "- a=b: Major outage",
		"Search, Indexing=operational": "- Search, Indexing: Operational",
		"EU West=partial_outage":       "- EU West: Partial outage",
		"x=y z=major_outage":           "- x=y z: Major outage",
	} {
		r := announce(t, context.Background(), "", "-title", "T", "-status", "identified", "-component", c)
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, want)
	}
}
