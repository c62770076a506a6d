package bluesky

import (
	"slices"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// A shortened post tags nothing its text did not: a cut inside a hashtag,
// "#cdnout…", would get a facet of the tag cdnout, another feed's.
func TestCutTagsNoOtherTag(t *testing.T) {
	ch, err := New(testConfig("https://bsky.social"))
	if err != nil {
		t.Fatal(err)
	}
	const body = "#cdnoutageeuropewest2 traffic is failing over to other regions"
	for n := 200; n < 300; n++ {
		u := broadcast.Update{ID: "u", Title: strings.Repeat("x", n), Status: broadcast.StatusInvestigating,
			Body: body, URL: "https://status.example.com/1"}
		text, _, err := ch.text(u.WithDefaults(fixedNow))
		if err != nil {
			continue // a Title too long for any post
		}
		for _, f := range tagFacets(text, nil) {
			if tag := f.Features[0].Tag; !slices.Contains([]string{"cdnoutageeuropewest2"}, tag) {
				t.Errorf("%q has the tag %q, which the update does not", text, tag)
			}
		}
	}
}
