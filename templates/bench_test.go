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
	for _, tt := range []struct {
		name string
		u    broadcast.Update
		m    templates.Measure
	}{
		{"runes", u, templates.Runes},
		{"weighted", u, weighted},
		{"long body", long, weighted},
	} {
		b.Run(tt.name, func(b *testing.B) {
			set := templates.Default()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := set.RenderFit("short", tt.u, 280, tt.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
