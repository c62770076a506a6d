package channeltest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// The fixed clock and incident of every update the suite sends.
var fixedTime = time.Date(2025, time.March, 14, 9, 26, 53, 0, time.UTC)

const (
	incidentID  = "channeltest-cdn-errors"
	incidentURL = "https://status.example.com/incidents/7k2qfx9"
)

// Texts in NFC with what channels most often break: a flag, emoji ZWJ and
// modifier sequences, combining marks without a precomposed form, CJK, and
// right-to-left scripts. Together they fit 280 weighted characters.
const (
	unicodeTitle = "Störung in 東京 🇯🇵 and Zürich 👩🏽‍💻"
	unicodeBody  = "Nous enquêtons sur des erreurs. תקלה בשירות. عطل في الخدمة. " +
		"東京リージョンで遅延。 n̈ q̃ 🏳️‍🌈 👨‍👩‍👧‍👦"
)

// overrideText is the per-channel text of the override rule.
const overrideText = "Custom text for this channel only: the CDN recovers, details follow."

// update returns an incident update told apart from others by n.
func update(n int) broadcast.Update {
	return broadcast.Update{
		IncidentID: incidentID,
		Title:      fmt.Sprintf("Elevated error rates on the CDN, region %d", n),
		Status:     broadcast.StatusInvestigating,
		Impact:     broadcast.ImpactMajor,
		Body:       fmt.Sprintf("We are investigating elevated error rates for requests served from CDN region %d.", n),
		URL:        incidentURL,
	}
}

// fullUpdate is update(n) with every field set, references included.
func fullUpdate(n int) broadcast.Update {
	u := update(n)
	u.Components = []broadcast.Component{
		{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded},
	}
	u.NextUpdate = fixedTime.Add(time.Hour)
	u.Overrides = map[string]string{"some-other-channel": "Text for another channel."}
	return u
}

// message builds the Message of the first attempt of u as a caller without
// a Broadcaster does, with broadcast.NewMessage: defaults filled in (for
// the fixed time), Attempt 1, no thread, an in-memory Ledger.
func message(u broadcast.Update) broadcast.Message {
	return broadcast.NewMessage(u.WithDefaults(fixedTime))
}

// longBody returns a body of exactly broadcast.MaxBodyLength characters of
// words, CJK and emoji.
func longBody() string {
	const unit = "Requests to the CDN fail intermittently in 東京 and Zürich 👩🏽‍💻, we are on it. "
	per := utf8.RuneCountInString(unit)
	n := broadcast.MaxBodyLength / per
	return strings.Repeat(unit, n) + strings.Repeat(".", broadcast.MaxBodyLength-n*per)
}

// hasStatus reports whether text shows status, as its label
// ("In progress") or its value ("in_progress"), in any case.
func hasStatus(text string, status broadcast.Status) bool {
	low := strings.ToLower(text)
	return strings.Contains(low, strings.ToLower(status.Label())) || strings.Contains(low, string(status))
}

// deepCopy returns u with its slice and map copied, so that changes made
// through u's references do not reach the copy.
func deepCopy(u broadcast.Update) broadcast.Update {
	c := u
	c.Components = slices.Clone(u.Components)
	c.Overrides = maps.Clone(u.Overrides)
	return c
}
