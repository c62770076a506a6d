package templates_test

import (
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

func BenchmarkRender(b *testing.B) {
	u := representative(broadcast.StatusInvestigating)
	for _, name := range []string{"short", "html"} {
		b.Run(name, func(b *testing.B) {
			set := templates.Default()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := set.Render(name, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderFit(b *testing.B) {
	u := representative(broadcast.StatusInvestigating)
	long := u
	long.Body = strings.Repeat("We are investigating elevated error rates on the CDN. ", 400) // ~22,000 characters
	many := manyComponents(300)
	// Version numbers, a log line, an ellipsis: every '.' on one long
	// line, where the markdown escaping looks for an ordered list marker.
	dotted := u
	dotted.Body = strings.Repeat("Rolled back v1.2.3 to v1.2.2... ", 700) // ~22,000 characters
	// A list of links on one line, as a paste of affected endpoints.
	links := u
	links.Body = strings.Repeat("https://api.example.com/v1 ", 800) // ~22,000 characters
	// A link followed by a run of closing brackets, which a link's end
	// leaves out only when the link did not open them.
	brackets := u
	brackets.Body = "See https://api.example.com/v1" + strings.Repeat(")", 22_000)
	// Links that open and do not close, each nesting the ones before
	// it: a destination is read to at most maxLinkParens levels.
	unclosed := u
	unclosed.Body = strings.Repeat("[a](b", 4400) // ~22,000 characters
	// Sentences with an inline link each, as a long status update with
	// links to its tickets: 300 links a cut may write as their text alone.
	inline := u
	inline.Body = strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 300) // ~21,000 characters
	for _, tt := range []struct {
		name  string
		u     broadcast.Update
		m     templates.Measure
		tmpl  string
		limit int
	}{
		{"runes", u, templates.Runes, "short", 280},
		{"weighted", u, weighted, "short", 280},
		{"long body", long, weighted, "short", 280},
		{"300 components", many, weighted, "short", 280},
		{"300 components markdown", many, templates.Runes, "markdown", 3000},
		{"long dotted body markdown", dotted, templates.Runes, "markdown", 2000},
		{"line of links markdown", links, templates.Runes, "markdown", 2000},
		{"closing brackets markdown", brackets, templates.Runes, "markdown", 2000},
		{"unclosed links", unclosed, templates.Runes, "short", 280},
		{"inline links", inline, weighted, "short", 280},
		{"inline links markdown", inline, templates.Runes, "markdown", 2000},
	} {
		b.Run(tt.name, func(b *testing.B) {
			set := templates.Default()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := set.RenderFit(tt.tmpl, tt.u, tt.limit, tt.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkShortenInlineLinks: a long text with an inline link in each
// sentence, each of which a cut may write as its text alone.
func BenchmarkShortenInlineLinks(b *testing.B) {
	s := strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 300) // ~21,000 characters
	b.ReportAllocs()
	for b.Loop() {
		templates.Shorten(s, 2000, templates.Runes)
	}
}
