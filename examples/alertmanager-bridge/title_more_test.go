package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A group titled after its first alert says how many others it has, also
// when that alert's summary is too long for the title: the summary is cut,
// not " and N more", which left a title naming one alert of many. What the
// summary leaves open of a right-to-left override is still closed before
// those words, within the title's limit.
func TestLongSummaryKeepsTheCountOfOtherAlerts(t *testing.T) {
	for name, summary := range map[string]string{
		"plain":    strings.Repeat("Disk full ", 40),
		"override": "\u202e" + strings.Repeat("\u2067Disk full ", 40),
	} {
		t.Run(name, func(t *testing.T) {
			p := firingPayload(t)
			p.CommonAnnotations, p.CommonLabels, p.GroupLabels = nil, nil, nil
			p.Alerts[0].Annotations["summary"] = summary
			p.TruncatedAlerts = 3
			got := title(p)
			assert.True(t, strings.HasSuffix(got, " and 4 more"), "%q", got)
			assert.Contains(t, got, "…", "the summary is cut")
			assert.LessOrEqual(t, utf8.RuneCountInString(got), broadcast.MaxTitleLength)
			assert.Equal(t, got, mapping{}.update(p, incident{}).Title)
			assert.NoError(t, mapping{}.update(p, incident{}).Validate())
			if name == "override" {
				assert.True(t, strings.HasSuffix(got, "\u2069\u202c and 4 more"), "%q: closed before the words", got)
			}
		})
	}
}
