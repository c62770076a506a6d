package discord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The card's next update names the same time, in UTC with its zone, as the
// message's "Next update by 10:30 UTC": a time in the reader's zone
// without one beside it reads as another time.
func TestEmbedNextUpdateIsUTC(t *testing.T) {
	u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusIdentified,
		Time:       time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		NextUpdate: time.Date(2026, 11, 30, 11, 30, 0, 0, time.FixedZone("CET", 3600))}
	e := statusEmbed(u, false)
	var value string
	for _, f := range e.Fields {
		if f.Name == "Next update" {
			value = f.Value
		}
	}
	require.NotEmpty(t, value, "a next update field in %+v", e.Fields)
	assert.Contains(t, value, "30 Nov 2026 10:30 UTC")
	assert.NotContains(t, value, ":t>", "no time in the reader's zone without its zone")
}

// A correction's card says so before its title, as its message's headline
// and Google Chat's card do; the first post's card, which shows the
// incident's current status, does not.
func TestEmbedTitleOfCorrection(t *testing.T) {
	u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusIdentified, Corrects: "u_1",
		Time: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}
	assert.Equal(t, "Correction: CDN errors", statusEmbed(u, false).Title)
	assert.Equal(t, "CDN errors", statusEmbed(u, true).Title)
	u.Corrects = ""
	assert.Equal(t, "CDN errors", statusEmbed(u, false).Title)
}
