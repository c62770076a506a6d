package statuspage

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The JSON files are put together from parts encoded once each (an
// incident listed in several files is encoded once): the bytes are those
// json.Marshal writes of the whole, HTML-escaped strings, null and empty
// lists included.
func TestAPIPartsAsMarshalWritesTheWhole(t *testing.T) {
	at := apiTime(time.Date(2025, 3, 14, 12, 0, 0, 123456789, time.UTC))
	inc := apiIncident{ID: "a<b>&c", Name: "Errors \u2028 <script>", Status: "investigating", CreatedAt: at, UpdatedAt: at,
		MonitoringAt: &at, IncidentUpdates: []apiUpdate{{ID: "u1", Body: "x & y", AffectedComponents: []apiAffected{{Code: "c", Name: "<API>"}}}},
		Components: []apiComponent{}}
	other := inc
	other.ID, other.ResolvedAt = "b", &at
	for _, l := range [][]apiIncident{{}, {inc}, {inc, other, inc}} {
		var enc encoded
		page := apiPage{ID: "p", Name: "Status & <co>", URL: "https://status.example.com/?a=1&b=2"}
		got := jsonObject(map[string][]byte{"page": enc.value(page), "incidents": enc.incidents(l),
			"scheduled_maintenances": enc.value([]apiMaintenance{})})
		require.NoError(t, enc.err)
		want, err := json.Marshal(map[string]any{"page": page, "incidents": l, "scheduled_maintenances": []apiMaintenance{}})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
	var enc encoded
	enc.incidents([]apiIncident{{ID: "x", CreatedAt: apiTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}})
	assert.ErrorContains(t, enc.err, "outside the years", "an error encoding a part is kept")
}

// The parts put together are json.Marshal's bytes of the whole for
// random incidents, maintenances, components and pages (a fixed seed)
// whose texts hold what json.Marshal escapes or replaces: <, > and &
// (HTML-escaped), U+2028 and U+2029, quotes, backslashes, control
// characters, bytes that are not UTF-8 (U+FFFD) and U+FFFD itself; with
// nil and empty lists, null times, and incidents listed in two lists and
// twice in one, as the files list them.
func TestAPIPartsAsMarshalWritesTheWholeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2028))
	pieces := []string{"a", "Z", " ", "<", ">", "&", `"`, `\`, "/", "\u2028", "\u2029", "\x00", "\x1f", "\x7f",
		"\t", "\n", "é", "\U0001F525", "\xff", "\xc3", "\xed\xa0\x80", "\ufffd", "\u00a0", "\u200b", "%", "'"}
	text := func() string {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	at := func() apiTime {
		return apiTime(time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(1e15))))
	}
	maybeAt := func() *apiTime {
		if rng.IntN(2) == 0 {
			return nil
		}
		a := at()
		return &a
	}
	maybeText := func() *string {
		if rng.IntN(2) == 0 {
			return nil
		}
		s := text()
		return &s
	}
	component := func() apiComponent {
		return apiComponent{ID: text(), Name: text(), Status: text(), CreatedAt: at(), UpdatedAt: at(),
			Position: rng.IntN(300), Description: maybeText(), StartDate: maybeText(), GroupID: maybeText(),
			PageID: text(), Group: rng.IntN(2) == 0, OnlyShowIfDegraded: rng.IntN(2) == 0}
	}
	components := func() []apiComponent {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return []apiComponent{}
		}
		var l []apiComponent
		for range 1 + rng.IntN(3) {
			l = append(l, component())
		}
		return l
	}
	incident := func(id string) apiIncident {
		in := apiIncident{ID: id, Name: text(), Status: text(), CreatedAt: at(), UpdatedAt: at(),
			MonitoringAt: maybeAt(), ResolvedAt: maybeAt(), Impact: text(), Shortlink: text(), StartedAt: at(),
			PageID: text(), Components: components()}
		if rng.IntN(4) > 0 {
			in.IncidentUpdates = []apiUpdate{}
		}
		for range rng.IntN(3) {
			u := apiUpdate{ID: text(), Status: text(), Body: text(), IncidentID: id, CreatedAt: at(), UpdatedAt: at(),
				DisplayAt: at(), DeliverNotifications: rng.IntN(2) == 0, CustomTweet: maybeText(), TweetID: maybeText()}
			for range rng.IntN(3) {
				u.AffectedComponents = append(u.AffectedComponents, apiAffected{Code: text(), Name: text(),
					OldStatus: text(), NewStatus: text()})
			}
			in.IncidentUpdates = append(in.IncidentUpdates, u)
		}
		return in
	}
	for round := range 300 {
		// Incidents have unique IDs; unresolved lists some of them again
		// (the same values), and a list may hold one twice.
		var all, unresolved []apiIncident
		for i := range rng.IntN(4) {
			in := incident(fmt.Sprint("i", i, text()))
			all = append(all, in)
			if rng.IntN(2) == 0 {
				unresolved = append(unresolved, in)
			}
		}
		if len(all) > 0 && rng.IntN(4) == 0 {
			all = append(all, all[0])
		}
		var maints []apiMaintenance
		for i := range rng.IntN(3) {
			maints = append(maints, apiMaintenance{apiIncident: incident(fmt.Sprint("m", i)),
				ScheduledFor: at(), ScheduledUntil: maybeAt()})
		}
		page := apiPage{ID: text(), Name: text(), URL: text(), TimeZone: text(), UpdatedAt: at()}
		status := apiStatus{Indicator: text(), Description: text()}
		comps := components()

		var enc encoded
		got := jsonObject(map[string][]byte{"page": enc.value(page), "status": enc.value(status),
			"components": enc.value(nonNil(comps)), "incidents": enc.incidents(nonNil(unresolved)),
			"scheduled_maintenances": enc.value(nonNil(maints))})
		all2 := jsonObject(map[string][]byte{"page": enc.value(page), "incidents": enc.incidents(nonNil(all))})
		require.NoError(t, enc.err, "round %d", round)
		want, err := json.Marshal(map[string]any{"page": page, "status": status, "components": nonNil(comps),
			"incidents": nonNil(unresolved), "scheduled_maintenances": nonNil(maints)})
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "round %d", round)
		want, err = json.Marshal(map[string]any{"page": page, "incidents": nonNil(all)})
		require.NoError(t, err)
		require.Equal(t, string(want), string(all2), "round %d", round)
		require.True(t, json.Valid(got), "round %d", round)
	}
}
