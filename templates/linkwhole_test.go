package templates_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A URL the channel knows is one (Update.URL) is linked whole where a
// link starts at it, though it ends in what ends a sentence or holds what
// ends a link in one: LinkSpans would link another page. Every other link
// keeps LinkSpans' rule, and a longer URL that starts with it is left as
// it is.
func TestLinkSpansWhole(t *testing.T) {
	links := func(s string, spans [][]int) []string {
		var out []string
		for _, sp := range spans {
			out = append(out, s[sp[0]:sp[1]])
		}
		return out
	}
	for _, tc := range []struct {
		s, whole string
		want     []string
	}{
		{"Details: https://status.example.com/incidents/42.", "https://status.example.com/incidents/42.",
			[]string{"https://status.example.com/incidents/42."}},
		{"Details: https://status.example.com/incidents/42!", "https://status.example.com/incidents/42!",
			[]string{"https://status.example.com/incidents/42!"}},
		{"(https://status.example.com/wiki/Outage_2026))", "https://status.example.com/wiki/Outage_2026)",
			[]string{"https://status.example.com/wiki/Outage_2026)"}},
		{"https://status.example.com/«42»", "https://status.example.com/«42»",
			[]string{"https://status.example.com/«42»"}},
		// The body's link keeps the sentence's rule; the URL is linked
		// whole wherever the text shows it.
		{"See https://s.example/b. Or https://s.example/42.. More: https://s.example/42.", "https://s.example/42.",
			[]string{"https://s.example/b", "https://s.example/42.", "https://s.example/42."}},
		// A longer URL that starts with it is its own link.
		{"https://s.example/42.html.", "https://s.example/42.", []string{"https://s.example/42.html"}},
		// A URL that holds what ends a link, before another URL: one link.
		{"https://a.example/1、https://b.example/2", "https://a.example/1、https://b.example/2",
			[]string{"https://a.example/1、https://b.example/2"}},
		// Shown after a character that ends a link: it starts a link.
		{"詳細はhttps://s.example/42.」", "https://s.example/42.", []string{"https://s.example/42."}},
		// Inside another URL it starts no link.
		{"https://r.example/?to=https://s.example/42.", "https://s.example/42.",
			[]string{"https://r.example/?to=https://s.example/42"}},
		// What is not one URL is ignored.
		{"https://s.example/42. and", "https://s.example/42. and", []string{"https://s.example/42"}},
		{"https://s.example/42.", "", []string{"https://s.example/42"}},
	} {
		t.Run(tc.s, func(t *testing.T) {
			assert.Equal(t, tc.want, links(tc.s, templates.LinkSpansWhole(tc.s, tc.whole)))
		})
	}
}

// Without URLs to keep whole, or with ones the text does not show, the
// spans are LinkSpans'.
func TestLinkSpansWholeElseLinkSpans(t *testing.T) {
	for _, s := range []string{
		"", "no link", "see https://x.example/a. and (https://x.example/b)",
		"詳細はhttps://x.example/i/1」をご覧ください", "https://a.example/1、https://b.example/2",
	} {
		assert.Equal(t, templates.LinkSpans(s), templates.LinkSpansWhole(s), "%q", s)
		assert.Equal(t, templates.LinkSpans(s), templates.LinkSpansWhole(s, "https://y.example/c."), "%q", s)
	}
}

func ExampleLinkSpansWhole() {
	s := "See https://example.com/faq. Details: https://status.example.com/incidents/42."
	for _, sp := range templates.LinkSpans(s) {
		fmt.Println("LinkSpans:", s[sp[0]:sp[1]])
	}
	for _, sp := range templates.LinkSpansWhole(s, "https://status.example.com/incidents/42.") {
		fmt.Println("LinkSpansWhole:", s[sp[0]:sp[1]])
	}
	// Output:
	// LinkSpans: https://example.com/faq
	// LinkSpans: https://status.example.com/incidents/42
	// LinkSpansWhole: https://example.com/faq
	// LinkSpansWhole: https://status.example.com/incidents/42.
}

// The markdown template writes the update's URL as an autolink, whole,
// also where the body or the title shows it and a renderer would end its
// bare link before its final "." or ")": before, "See https://…/42. now"
// was left bare, which Discord and CommonMark's extended autolinks link
// without the ".", to another page. A URL in the body keeps the rule.
func TestMarkdownLinksUpdateURLWhole(t *testing.T) {
	for _, raw := range []string{
		"https://status.example.com/incidents/42.",
		"https://status.example.com/wiki/Outage_2026)",
		"https://status.example.com/«42»",
	} {
		t.Run(raw, func(t *testing.T) {
			u := broadcast.Update{IncidentID: "i", Title: "Outage, see " + raw, Status: broadcast.StatusInvestigating,
				Body: "See https://example.com/b. Or " + raw + " now.", Advice: "Read " + raw, URL: raw}
			require.NoError(t, u.Validate())
			out, err := templates.Default().Render("markdown", u)
			require.NoError(t, err)
			assert.Equal(t, 4, strings.Count(out, "<"+raw+">"), "title, advice, body and link: %s", out)
			assert.Contains(t, out, "See https://example.com/b. Or <"+raw+"> now.")
		})
	}
}
