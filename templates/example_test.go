package templates_test

import (
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

func Example() {
	u := broadcast.Update{
		Title:      "Elevated CDN error rates",
		Status:     broadcast.StatusInvestigating,
		Body:       "We are investigating elevated error rates on the CDN in Europe.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 11, 24, 14, 30, 0, 0, time.UTC),
	}
	subject, err := templates.Default().Render("subject", u)
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := templates.Default().Render("text", u)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(subject)
	fmt.Println()
	fmt.Println(text)
	// Output:
	// Incident: Elevated CDN error rates
	//
	// Investigating: Elevated CDN error rates
	//
	// We are investigating elevated error rates on the CDN in Europe.
	//
	// Affected components:
	// - CDN: Major outage
	//
	// Next update by 14:30 UTC.
	//
	// Details: https://status.example.com/incidents/42
	// Posted 24 Nov 2025 13:45 UTC.
}

func ExampleSet_With() {
	set, err := templates.Default().With("short.resolved", "✅ {{.Title}} is fixed. {{.URL}}")
	if err != nil {
		fmt.Println(err)
		return
	}
	u := broadcast.Update{
		Title:  "Elevated CDN error rates",
		Status: broadcast.StatusResolved,
		URL:    "https://status.example.com/incidents/42",
	}
	out, err := set.Render("short", u)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	// Output:
	// ✅ Elevated CDN error rates is fixed. https://status.example.com/incidents/42
}

func ExampleSet_RenderFit() {
	u := broadcast.Update{
		Title:  "Elevated CDN error rates",
		Status: broadcast.StatusIdentified,
		Body:   "A faulty configuration change in the European edge caches is being rolled back.",
		URL:    "https://status.example.com/incidents/42",
	}
	out, err := templates.Default().RenderFit("short", u, 110, templates.Graphemes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	fmt.Println(templates.Graphemes(out))
	// Output:
	// Identified: Elevated CDN error rates — A faulty configuration change… https://status.example.com/incidents/42
	// 109
}

func ExampleShorten() {
	fmt.Println(templates.Shorten("Family 👩‍👩‍👧‍👦 picnic cancelled by rain", 12, templates.Graphemes))
	// Output:
	// Family 👩‍👩‍👧‍👦…
}
